/**
 * Writes an upload into a session's `/mnt/data`. The sandbox's tmpfs belongs to its user namespace, where the
 * host's root is not mapped, so the kernel refuses files created by root there (EOVERFLOW). When the sandbox has
 * a dedicated uid, a short-lived `dd` running as that uid creates the file instead, through the directory
 * descriptor the host holds (exclusive create, no link followed). Otherwise the host writes it itself.
 */
import { spawn } from "node:child_process";
import type { FileHandle } from "node:fs/promises";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createFileIn, removeFrom, topLevelName } from "./safe-fs";

/** Raised when the file does not fit in the session's disk space. */
export class DiskFullError extends Error {
  constructor() {
    super("no space left in /mnt/data");
    this.name = "DiskFullError";
  }
}

const DIR_FD = 3;

export async function writeUpload(
  root: FileHandle,
  name: string,
  stream: Readable,
  uid?: number,
): Promise<void> {
  const file = topLevelName(name);
  await removeFrom(root, file);
  try {
    if (uid === undefined) await writeDirectly(root, file, stream);
    else await writeAs(uid, root, file, stream);
  } catch (error) {
    await removeFrom(root, file);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOSPC" || code === "EFBIG") throw new DiskFullError();
    throw error;
  }
}

async function writeDirectly(root: FileHandle, file: string, stream: Readable): Promise<void> {
  const handle = await createFileIn(root, file);
  // The write stream closes the handle when it finishes or fails.
  await pipeline(stream, handle.createWriteStream());
}

function writeAs(uid: number, root: FileHandle, file: string, stream: Readable): Promise<void> {
  const child = spawn(
    "/usr/bin/setpriv",
    [
      `--reuid=${uid}`,
      `--regid=${uid}`,
      "--clear-groups",
      "--no-new-privs",
      "--",
      "/usr/bin/dd",
      `of=/proc/self/fd/${DIR_FD}/${file}`,
      "conv=excl",
      "oflag=nofollow",
      "bs=65536",
      "status=none",
    ],
    { env: {}, stdio: ["pipe", "ignore", "pipe", root.fd] },
  );
  let stderr = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-2000);
  });
  const exited = new Promise<void>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve();
      else if (/No space left|File too large/i.test(stderr))
        reject(Object.assign(new Error(stderr), { code: "ENOSPC" }));
      else reject(new Error(`writing ${file} into the session failed: ${stderr.trim() || `exit ${code}`}`));
    });
  });
  const copied = pipeline(stream, child.stdin!).catch((error: NodeJS.ErrnoException) => {
    // dd stopped reading (it failed): its exit status says why; anything else is the source's fault.
    if (error.code !== "EPIPE") throw error;
  });
  return Promise.all([copied, exited]).then(() => undefined);
}
