/**
 * A stateful session over one sandbox, like a Code Interpreter session: variables and `/mnt/data` persist
 * across cells. Each cell's result is checked and capped on the host (the runner is untrusted), its figures
 * come back as PNGs, and new or changed regular files in `/mnt/data` are reported; links are refused.
 */
import { randomUUID } from "node:crypto";
import { statfs } from "node:fs/promises";
import type { Readable } from "node:stream";
import { DatabotError, ErrorCode } from "../../../../core/errors";
import type { Logger } from "../../../../core/logger";
import type { CellFile, CellImage, CellResult, SandboxSession } from "../types";
import { changedEntries, openRegularFileBeneath, snapshotTree, type TreeSnapshot } from "./safe-fs";
import { SandboxEndedError, type RawCellResult, type SandboxProcess } from "./sandbox-process";
import { DiskFullError, writeUpload } from "./upload-writer";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const MAX_IMAGES = 20;
const KNOWN_LIMITS = new Set(["wall_clock", "cpu", "memory", "output", "disk", "killed"]);

export interface SessionSettings {
  cellTimeoutMs: number;
  outputBytes: number;
  diskMb: number;
  logger: Logger;
}

export class LocalSandboxSession implements SandboxSession {
  readonly id = `session-${randomUUID()}`;
  readonly createdAt = Date.now();
  private cellCount = 0;
  private closed = false;

  constructor(
    private readonly sandbox: SandboxProcess,
    private readonly settings: SessionSettings,
  ) {}

  /** False once the session was closed or its sandbox died; a new session is needed then. */
  get alive(): boolean {
    return !this.closed && this.sandbox.alive;
  }

  /** True while a cell runs. */
  get busy(): boolean {
    return this.sandbox.busy;
  }

  async writeFile(name: string, stream: Readable): Promise<void> {
    this.assertAlive();
    try {
      await writeUpload(this.sandbox.dataDir, name, stream, this.sandbox.uid);
    } catch (error) {
      if (!(error instanceof DiskFullError)) throw error;
      throw new DatabotError(
        ErrorCode.FileRefused,
        `${name} does not fit in the session's disk space (${this.settings.diskMb} MB, set by SANDBOX_DISK_MB).`,
        { cause: error },
      );
    }
  }

  async listFiles(): Promise<CellFile[]> {
    this.assertAlive();
    const snapshot = await snapshotTree(this.sandbox.dataDir);
    return [...snapshot.entries]
      .filter(([, entry]) => entry.kind === "file")
      .map(([name, entry]) => ({ name, size: entry.size }));
  }

  async openFile(name: string): Promise<Readable> {
    this.assertAlive();
    const { handle } = await openRegularFileBeneath(this.sandbox.dataDir, name);
    return handle.createReadStream();
  }

  /** Bytes used in `/mnt/data`. */
  async diskUsage(): Promise<{ usedBytes: number; totalBytes: number }> {
    this.assertAlive();
    const stats = await statfs(`/proc/self/fd/${this.sandbox.dataDir.fd}`);
    return { usedBytes: (stats.blocks - stats.bfree) * stats.bsize, totalBytes: stats.blocks * stats.bsize };
  }

  async run(code: string, signal?: AbortSignal): Promise<CellResult> {
    this.assertAlive();
    if (signal?.aborted) throw new DatabotError(ErrorCode.RunCancelled, "The run was cancelled.");
    const cellNumber = ++this.cellCount;
    const idleRestart = this.sandbox.interpreterRestartedIdle;
    this.sandbox.interpreterRestartedIdle = undefined;
    const before = await snapshotTree(this.sandbox.dataDir);
    let raw: RawCellResult;
    try {
      raw = await this.sandbox.run(code, { timeoutMs: this.settings.cellTimeoutMs, signal });
    } catch (error) {
      if (!(error instanceof SandboxEndedError)) throw error;
      // The host had to kill the whole sandbox: the session and its files are gone.
      this.closed = true;
      const message =
        "The Python session stopped responding and was ended; its variables and files are lost.";
      return {
        stdout: "",
        stderr: "",
        error: { name: "SessionEnded", message, traceback: message },
        limit: signal?.aborted ? undefined : "wall_clock",
        images: [],
        files: [],
      };
    }
    const result = this.convert(raw, cellNumber);
    if (idleRestart) {
      result.stderr =
        `[the Python process had stopped since the last cell (${idleRestart}); variables were reset]\n` +
        result.stderr;
    }
    const after = await snapshotTree(this.sandbox.dataDir);
    this.addChangedFiles(result, before, after);
    return result;
  }

  private convert(raw: RawCellResult, cellNumber: number): CellResult {
    const cap = this.settings.outputBytes;
    const result: CellResult = {
      stdout: capText(raw.stdout, cap),
      stderr: capText(raw.stderr, cap),
      images: this.images(raw.images, cellNumber),
      files: [],
    };
    const error = raw.error as Record<string, unknown> | null | undefined;
    if (error && typeof error === "object") {
      result.error = {
        name: capText(error.name, 200) || "Error",
        message: capText(error.message, 4000),
        traceback: capText(error.traceback, cap),
      };
    }
    if (typeof raw.limit === "string" && KNOWN_LIMITS.has(raw.limit)) result.limit = raw.limit;
    if (Array.isArray(raw.notes) && raw.notes.length > 0) {
      const notes = raw.notes.slice(0, 20).map((n) => `[${capText(n, 300)}]`);
      result.stderr += `${result.stderr && !result.stderr.endsWith("\n") ? "\n" : ""}${notes.join("\n")}\n`;
    }
    return result;
  }

  private images(value: unknown, cellNumber: number): CellImage[] {
    if (!Array.isArray(value)) return [];
    const images: CellImage[] = [];
    for (const item of value.slice(0, MAX_IMAGES)) {
      const png = (item as { png?: unknown }).png;
      if (typeof png !== "string") continue;
      const data = Buffer.from(png, "base64");
      if (data.length < PNG_SIGNATURE.length || !data.subarray(0, 8).equals(PNG_SIGNATURE)) continue;
      const title = (item as { title?: unknown }).title;
      images.push({
        name: `cell${cellNumber}-figure${images.length + 1}.png`,
        data,
        ...(typeof title === "string" && title.trim() ? { title: capText(title.trim(), 200) } : {}),
      });
    }
    return images;
  }

  private addChangedFiles(result: CellResult, before: TreeSnapshot, after: TreeSnapshot): void {
    const refusals: string[] = [];
    for (const [name, entry] of changedEntries(before, after)) {
      if (entry.kind === "file") result.files.push({ name, size: entry.size });
      else if (entry.kind === "symlink") refusals.push(`${name} is a symbolic link`);
      else if (entry.kind === "hardlink") refusals.push(`${name} is a hard link`);
      else if (entry.kind === "other") refusals.push(`${name} is not a regular file`);
    }
    if (after.truncated)
      refusals.push("/mnt/data holds too many files; only the first 10,000 were looked at");
    if (refusals.length > 0) {
      result.stderr += `[not returned as output files: ${refusals.slice(0, 20).join("; ")}]\n`;
    }
  }

  private assertAlive(): void {
    if (!this.alive) {
      throw new DatabotError(ErrorCode.SandboxUnavailable, "The Python session has ended; start a new one.");
    }
  }

  /** Ends the interpreter; the sandbox's tmpfs, and with it every file of the session, goes away. */
  async close(): Promise<void> {
    this.closed = true;
    await this.sandbox.close();
  }
}

function capText(value: unknown, cap: number): string {
  if (typeof value !== "string") return "";
  if (value.length <= cap + 200) return value;
  return `${value.slice(0, cap)}\n[output truncated]\n`;
}
