/**
 * Host-side access to a session's `/mnt/data`, which code in the sandbox controls. The host holds an open
 * descriptor of the directory and resolves every name beneath it one component at a time with O_NOFOLLOW
 * (through `/proc/self/fd/<fd>/<name>`, Node's stand-in for openat), so a symlink or a swapped directory can
 * never lead the host outside. Only regular files with a single link are read; nothing is ever extracted or
 * unpickled.
 */
import { constants, type BigIntStats } from "node:fs";
import { lstat, open, opendir, unlink, type FileHandle } from "node:fs/promises";
import { DatabotError, ErrorCode } from "../../../../core/errors";

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK, O_NOCTTY } = constants;

const MAX_NAME_BYTES = 255;
const MAX_PATH_BYTES = 1024;

/** What a name in the work directory is. Only `file` entries are ever opened by the host. */
export type EntryKind = "file" | "symlink" | "hardlink" | "directory" | "other";

export interface TreeEntry {
  kind: EntryKind;
  size: number;
  /** Identity and times, to tell a changed file from an untouched one. */
  version: string;
}

export interface TreeSnapshot {
  entries: Map<string, TreeEntry>;
  /** True when the walk stopped at its entry limit. */
  truncated: boolean;
}

/** The path that resolves `name` inside the directory open as `fd`, without a host path in between. */
function beneath(fd: number, name: string): string {
  return `/proc/self/fd/${fd}/${name}`;
}

function refused(name: string, why: string): DatabotError {
  return new DatabotError(ErrorCode.FileRefused, `${name}: ${why}.`);
}

/** Splits a name relative to `/mnt/data` into components, refusing anything that could climb out. */
export function splitRelativePath(name: string): string[] {
  const trimmed = name.startsWith("/mnt/data/") ? name.slice("/mnt/data/".length) : name;
  if (trimmed === "" || trimmed.startsWith("/") || trimmed.includes("\0"))
    throw refused(name, "not a file name");
  if (Buffer.byteLength(trimmed) > MAX_PATH_BYTES) throw refused(name, "name too long");
  const parts = trimmed.split("/").filter((p) => p !== "");
  for (const part of parts) {
    if (part === "." || part === "..") throw refused(name, "the name leaves /mnt/data");
    if (Buffer.byteLength(part) > MAX_NAME_BYTES) throw refused(name, "name too long");
  }
  if (parts.length === 0) throw refused(name, "not a file name");
  return parts;
}

/** Opens a subdirectory of `root` (no component may be a symlink). The caller closes it. */
async function openDirectoryBeneath(root: FileHandle, parts: string[]): Promise<FileHandle> {
  let current = root;
  for (const part of parts) {
    const next = await open(beneath(current.fd, part), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (current !== root) await current.close();
    current = next;
  }
  if (current === root) return open(beneath(root.fd, "."), O_RDONLY | O_DIRECTORY);
  return current;
}

/**
 * Opens a regular, singly linked file beneath `root` for reading. Symlinks (anywhere in the path), hard links,
 * FIFOs, devices and directories are refused.
 */
export async function openRegularFileBeneath(
  root: FileHandle,
  name: string,
): Promise<{ handle: FileHandle; size: number }> {
  const parts = splitRelativePath(name);
  let dir: FileHandle;
  try {
    dir = await openDirectoryBeneath(root, parts.slice(0, -1));
  } catch (error) {
    throw refusedFromErrno(name, error);
  }
  let handle: FileHandle;
  try {
    handle = await open(
      beneath(dir.fd, parts[parts.length - 1]!),
      O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY,
    );
  } catch (error) {
    throw refusedFromErrno(name, error);
  } finally {
    await dir.close();
  }
  const stats = await handle.stat();
  if (!stats.isFile() || stats.nlink !== 1) {
    await handle.close();
    throw refused(name, stats.isFile() ? "a hard link, which databot does not read" : "not a regular file");
  }
  return { handle, size: stats.size };
}

function refusedFromErrno(name: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ELOOP" || code === "ENOTDIR")
    return refused(name, "a symbolic link, which databot does not follow");
  if (code === "ENOENT") return refused(name, "no such file in /mnt/data");
  return error instanceof Error ? error : new Error(String(error));
}

/** Checks an upload's name: one component directly in `/mnt/data`. */
export function topLevelName(name: string): string {
  const parts = splitRelativePath(name);
  if (parts.length !== 1) throw refused(name, "uploads go to the top of /mnt/data");
  return parts[0]!;
}

/**
 * Creates a top-level file in `root` exclusively, without following a link, and returns it open for writing.
 * The caller removes an old entry of that name first (see {@link removeFrom}).
 */
export async function createFileIn(root: FileHandle, name: string): Promise<FileHandle> {
  return open(beneath(root.fd, topLevelName(name)), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644);
}

/** Removes a top-level entry (an unlink never follows a link). Missing is fine. */
export async function removeFrom(root: FileHandle, name: string): Promise<void> {
  try {
    await unlink(beneath(root.fd, topLevelName(name)));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EISDIR" || code === "EPERM") throw refused(name, "a directory of that name is in the way");
    if (code !== "ENOENT") throw error;
  }
}

function kindOf(stats: BigIntStats): EntryKind {
  if (stats.isSymbolicLink()) return "symlink";
  if (stats.isDirectory()) return "directory";
  if (!stats.isFile()) return "other";
  return stats.nlink === 1n ? "file" : "hardlink";
}

/** Lists everything beneath `root` without following links, up to `maxEntries` names and `maxDepth` levels. */
export async function snapshotTree(
  root: FileHandle,
  maxEntries = 10_000,
  maxDepth = 8,
): Promise<TreeSnapshot> {
  const entries = new Map<string, TreeEntry>();
  let truncated = false;
  const visit = async (dir: FileHandle, prefix: string, depth: number): Promise<void> => {
    // Streamed, not listed whole: a cell may have made a million names.
    const listing = await opendir(beneath(dir.fd, "."), { bufferSize: 256 });
    for await (const dirent of listing) {
      if (entries.size >= maxEntries) {
        truncated = true;
        break; // leaving the loop closes the listing
      }
      const name = dirent.name;
      let stats: BigIntStats;
      try {
        stats = await lstat(beneath(dir.fd, name), { bigint: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") continue; // removed while we looked
        throw error;
      }
      const rel = prefix + name;
      const kind = kindOf(stats);
      entries.set(rel, {
        kind,
        size: Number(stats.size),
        version: `${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`,
      });
      if (kind === "directory" && depth < maxDepth) {
        let sub: FileHandle;
        try {
          sub = await open(beneath(dir.fd, name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === "ENOENT" || code === "ELOOP" || code === "ENOTDIR" || code === "EACCES") continue;
          throw error;
        }
        try {
          await visit(sub, `${rel}/`, depth + 1);
        } finally {
          await sub.close();
        }
      }
    }
  };
  await visit(root, "", 0);
  return { entries, truncated };
}

/** Entries that are new in `after` or differ from `before`. */
export function changedEntries(before: TreeSnapshot, after: TreeSnapshot): [string, TreeEntry][] {
  const changed: [string, TreeEntry][] = [];
  for (const [name, entry] of after.entries) {
    if (before.entries.get(name)?.version !== entry.version) changed.push([name, entry]);
  }
  return changed;
}
