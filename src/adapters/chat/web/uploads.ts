/**
 * Files dropped in the browser: checked by the file policy (name, type, then content as it streams) and written
 * to `<dataDir>/web-uploads/<id>` without ever being held whole. The core opens them again by id when it answers
 * the message they came with.
 *
 * An upload belongs to one thread. Until it is sent with a message it is *staged*: staged uploads are capped per
 * thread and in total, and expire within the hour, so dropping files without sending them cannot fill the
 * disk. Sent ones stay until their answer is posted (or a failed question is retried).
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { DatabotError, ErrorCode } from "../../../core/errors";
import { FileRefusedError, formatBytes, type FilePolicy } from "../../../core/files/file-policy";

export interface UploadRecord {
  id: string;
  /** The web thread it was dropped into. */
  thread: string;
  name: string;
  mimeType: string;
  size: number;
  createdAt: string;
  /** Set once it was sent with a message. */
  attachedAt?: string;
}

/** How much may wait, staged, for a message. */
export interface StagingLimits {
  perThreadFiles: number;
  perThreadBytes: number;
  totalFiles: number;
  totalBytes: number;
  /** A staged upload not sent within this long is deleted. */
  stagedTtlMs: number;
  /** A sent one whose answer never came (a failed question never retried) is deleted after this long. */
  attachedTtlMs: number;
}

const STAGING_LIMITS: StagingLimits = {
  perThreadFiles: 20,
  perThreadBytes: 1024 * 1024 * 1024,
  totalFiles: 200,
  totalBytes: 4 * 1024 * 1024 * 1024,
  stagedTtlMs: 3600_000,
  attachedTtlMs: 7 * 24 * 3600_000,
};

export type UploadOutcome = { ok: true; upload: UploadRecord } | { ok: false; name: string; message: string };

/** Uploads are private to the account databot runs as. */
const PRIVATE_DIR = { recursive: true, mode: 0o700 } as const;

const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class UploadStore {
  readonly dir: string;
  /** Uploads being written right now, by id, so concurrent uploads cannot all slip under a cap. */
  private readonly inFlight = new Map<string, { thread: string; bytes: number }>();

  constructor(
    dataDir: string,
    private readonly policy: FilePolicy,
    private readonly limits: StagingLimits = STAGING_LIMITS,
  ) {
    this.dir = path.join(dataDir, "web-uploads");
  }

  /**
   * Checks and stores one file for a thread. A refusal (type, name, content, size, a full staging area) is an
   * outcome, not an error; `source` is consumed or destroyed either way.
   */
  async save(thread: string, name: string, source: Readable): Promise<UploadOutcome> {
    const verdict = this.policy.precheck({ name });
    if (!verdict.ok) {
      source.destroy();
      return { ok: false, name, message: new FileRefusedError(name, verdict.reason).userMessage };
    }
    const full = await this.stagingFull(thread);
    if (full) {
      source.destroy();
      return { ok: false, name, message: `I couldn't keep "${name}": ${full}` };
    }
    await fsp.mkdir(this.dir, PRIVATE_DIR);
    const id = randomUUID();
    const target = this.dataPath(id);
    const writing = { thread, bytes: 0 };
    this.inFlight.set(id, writing);
    try {
      const checked = await this.policy.inspect(source, verdict.name, verdict.type);
      checked.on("data", (chunk: Buffer) => (writing.bytes += chunk.length));
      await pipeline(checked, fs.createWriteStream(target, { flags: "wx" }));
    } catch (error) {
      await fsp.rm(target, { force: true });
      if (error instanceof FileRefusedError) return { ok: false, name, message: error.userMessage };
      throw error;
    } finally {
      this.inFlight.delete(id);
    }
    const record: UploadRecord = {
      id,
      thread,
      name: verdict.name,
      mimeType: verdict.type.mimeTypes[0]!,
      size: (await fsp.stat(target)).size,
      createdAt: new Date().toISOString(),
    };
    await fsp.writeFile(this.metaPath(id), JSON.stringify(record));
    return { ok: true, upload: record };
  }

  /** Marks uploads as sent with a message: they no longer count as staged and wait for their answer. */
  async attach(records: UploadRecord[]): Promise<void> {
    const attachedAt = new Date().toISOString();
    for (const record of records) {
      await fsp.writeFile(this.metaPath(record.id), JSON.stringify({ ...record, attachedAt }));
    }
  }

  /** Why this thread (or databot as a whole) cannot stage another file now, or undefined when it can. */
  private async stagingFull(thread: string): Promise<string | undefined> {
    const writing = [...this.inFlight.values()].map((w) => ({ thread: w.thread, size: w.bytes }));
    const staged = [...(await this.records()).filter((r) => !r.attachedAt), ...writing];
    const mine = staged.filter((r) => r.thread === thread);
    const bytes = (list: { size: number }[]) => list.reduce((sum, r) => sum + r.size, 0);
    if (mine.length >= this.limits.perThreadFiles) {
      return `this chat already holds ${this.limits.perThreadFiles} files waiting to be sent. Send them, or remove some first.`;
    }
    if (bytes(mine) >= this.limits.perThreadBytes) {
      return `this chat already holds ${formatBytes(this.limits.perThreadBytes)} of files waiting to be sent. Send them first.`;
    }
    if (staged.length >= this.limits.totalFiles || bytes(staged) >= this.limits.totalBytes) {
      return "databot is holding too many unsent files right now. Send or remove the files you dropped, or try again in an hour.";
    }
    return undefined;
  }

  private async records(): Promise<UploadRecord[]> {
    let names: string[];
    try {
      names = await fsp.readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const records = await Promise.all(
      names.filter((n) => n.endsWith(".json")).map((n) => this.get(n.slice(0, -".json".length))),
    );
    return records.filter((r): r is UploadRecord => r !== undefined);
  }

  async get(id: string): Promise<UploadRecord | undefined> {
    if (!UPLOAD_ID.test(id)) return undefined;
    try {
      return JSON.parse(await fsp.readFile(this.metaPath(id), "utf8")) as UploadRecord;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }

  /** A stream of the stored bytes; `attachment_unavailable` when the copy is gone. */
  async open(id: string, name: string): Promise<Readable> {
    if (UPLOAD_ID.test(id)) {
      try {
        const handle = await fsp.open(this.dataPath(id), "r");
        return handle.createReadStream();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
    }
    throw new DatabotError(
      ErrorCode.AttachmentUnavailable,
      `the uploaded copy of "${name}" is no longer on databot's server; please upload it again`,
    );
  }

  async remove(id: string): Promise<void> {
    if (!UPLOAD_ID.test(id)) return;
    await fsp.rm(this.dataPath(id), { force: true });
    await fsp.rm(this.metaPath(id), { force: true });
  }

  /**
   * Deletes staged uploads older than the staging limit, sent ones whose answer never came after the longer
   * one, and leftovers of uploads that were cut off. Returns how many uploads went.
   */
  async sweep(now = Date.now()): Promise<number> {
    let names: string[];
    try {
      names = await fsp.readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return 0;
      throw error;
    }
    let removed = 0;
    const described = new Set(
      names.filter((n) => n.endsWith(".json")).map((n) => n.slice(0, -".json".length)),
    );
    for (const record of await this.records()) {
      const since = Date.parse(record.attachedAt ?? record.createdAt);
      const ttl = record.attachedAt ? this.limits.attachedTtlMs : this.limits.stagedTtlMs;
      if (now - since > ttl) {
        await this.remove(record.id);
        removed += 1;
      }
    }
    // Bytes without a description: an upload still being written, or one cut off by a crash.
    for (const name of names) {
      if (name.endsWith(".json") || described.has(name)) continue;
      const stat = await fsp.stat(path.join(this.dir, name)).catch(() => undefined);
      if (stat && now - stat.mtimeMs > this.limits.stagedTtlMs) {
        await fsp.rm(path.join(this.dir, name), { force: true });
        removed += 1;
      }
    }
    return removed;
  }

  private dataPath(id: string): string {
    return path.join(this.dir, id);
  }

  private metaPath(id: string): string {
    return path.join(this.dir, `${id}.json`);
  }
}
