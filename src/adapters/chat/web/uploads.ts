/**
 * Files dropped in the browser: checked by the file policy (name, type, then content as it streams) and stored
 * as blobs under `web-uploads/<id>` (with their description) without ever being held whole, so any replica
 * can hand them to the turn that answers the message they came with.
 *
 * An upload belongs to one thread. Until it is sent with a message it is *staged*: staged uploads are capped per
 * thread and in total, and expire within the hour, so dropping files without sending them cannot fill the
 * disk. Sent ones stay until their answer is posted (or a failed question is retried). Uploads still being
 * written count against the caps on the replica writing them.
 */
import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import { DatabotError, ErrorCode } from "../../../core/errors";
import { FileRefusedError, formatBytes, type FilePolicy } from "../../../core/files/file-policy";
import type { BlobInfo, BlobStore } from "../../../core/ports/blobs";
import type { JsonObject } from "../../../core/types";

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

const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PREFIX = "web-uploads/";

export class UploadStore {
  /** Uploads being written right now, by id, so concurrent uploads cannot all slip under a cap. */
  private readonly inFlight = new Map<string, { thread: string; bytes: number }>();

  constructor(
    private readonly blobs: BlobStore,
    private readonly policy: FilePolicy,
    private readonly limits: StagingLimits = STAGING_LIMITS,
    /** The clock uploads are stamped with (tests move it). */
    private readonly now: () => number = Date.now,
  ) {}

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
    const id = randomUUID();
    const writing = { thread, bytes: 0 };
    this.inFlight.set(id, writing);
    const described = {
      id,
      thread,
      name: verdict.name,
      mimeType: verdict.type.mimeTypes[0]!,
      createdAt: new Date(this.now()).toISOString(),
    };
    try {
      const checked = await this.policy.inspect(source, verdict.name, verdict.type);
      checked.on("data", (chunk: Buffer) => (writing.bytes += chunk.length));
      const stored = await this.blobs.put(PREFIX + id, checked, { meta: described });
      return { ok: true, upload: toRecord(stored)! };
    } catch (error) {
      if (error instanceof FileRefusedError) return { ok: false, name, message: error.userMessage };
      throw error;
    } finally {
      this.inFlight.delete(id);
    }
  }

  /** Marks uploads as sent with a message: they no longer count as staged and wait for their answer. */
  async attach(records: UploadRecord[]): Promise<void> {
    const attachedAt = new Date(this.now()).toISOString();
    for (const { size: _size, ...record } of records) {
      await this.blobs.setMeta(PREFIX + record.id, { ...record, attachedAt });
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
    return (await this.blobs.list(PREFIX)).map(toRecord).filter((r): r is UploadRecord => r !== undefined);
  }

  async get(id: string): Promise<UploadRecord | undefined> {
    if (!UPLOAD_ID.test(id)) return undefined;
    const info = await this.blobs.head(PREFIX + id);
    return info ? toRecord(info) : undefined;
  }

  /** Every upload of a thread, staged or sent. */
  async inThread(thread: string): Promise<UploadRecord[]> {
    return (await this.records()).filter((r) => r.thread === thread);
  }

  /** A stream of the stored bytes; `attachment_unavailable` when the copy is gone. */
  async open(id: string, name: string): Promise<Readable> {
    const blob = UPLOAD_ID.test(id) ? await this.blobs.get(PREFIX + id) : undefined;
    if (blob) return blob.stream;
    throw new DatabotError(
      ErrorCode.AttachmentUnavailable,
      `the uploaded copy of "${name}" is no longer on databot's server; please upload it again`,
    );
  }

  async remove(id: string): Promise<void> {
    if (!UPLOAD_ID.test(id)) return;
    await this.blobs.delete(PREFIX + id);
  }

  /** Deletes every upload of a thread, staged or sent (`databot forget`); returns their ids. */
  async removeThread(thread: string): Promise<string[]> {
    const gone = await this.inThread(thread);
    for (const record of gone) await this.remove(record.id);
    return gone.map((record) => record.id);
  }

  /** Deletes uploads made before `cutoff` (`RETENTION_DAYS`), sent or not; returns their ids. */
  async purgeOlderThan(cutoff: Date): Promise<string[]> {
    const old = (await this.records()).filter((record) => Date.parse(record.createdAt) < cutoff.getTime());
    for (const record of old) await this.remove(record.id);
    return old.map((record) => record.id);
  }

  /**
   * Deletes staged uploads older than the staging limit, sent ones whose answer never came after the longer
   * one, and leftovers of uploads that were cut off. Returns how many uploads went.
   */
  async sweep(now = this.now()): Promise<number> {
    let removed = 0;
    for (const record of await this.records()) {
      const since = Date.parse(record.attachedAt ?? record.createdAt);
      const ttl = record.attachedAt ? this.limits.attachedTtlMs : this.limits.stagedTtlMs;
      if (now - since > ttl) {
        await this.remove(record.id);
        removed += 1;
      }
    }
    // Bytes without a description (from before uploads were blobs), and copies cut off by a crash.
    removed += await this.blobs.expire(PREFIX, this.limits.attachedTtlMs, now);
    return removed;
  }
}

/** An upload's record from its blob; undefined for a blob that is not one. */
function toRecord(info: BlobInfo): UploadRecord | undefined {
  const meta = info.meta as JsonObject & Partial<UploadRecord>;
  if (typeof meta.id !== "string" || typeof meta.thread !== "string" || typeof meta.name !== "string") {
    return undefined;
  }
  return {
    id: meta.id,
    thread: meta.thread,
    name: meta.name,
    mimeType: String(meta.mimeType ?? "application/octet-stream"),
    size: info.size,
    createdAt: String(meta.createdAt ?? new Date(info.createdAt).toISOString()),
    ...(typeof meta.attachedAt === "string" ? { attachedAt: meta.attachedAt } : {}),
  };
}
