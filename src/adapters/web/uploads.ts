/**
 * Files dropped in the browser: checked by the file policy (name, type, then content as it streams) and written
 * to `<dataDir>/web-uploads/<id>` without ever being held whole. The core opens them again by id when it answers
 * the message they came with.
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { DatabotError, ErrorCode } from "../../core/errors";
import { FileRefusedError, type FilePolicy } from "../../core/files/file-policy";

export interface UploadRecord {
  id: string;
  name: string;
  mimeType: string;
  size: number;
  createdAt: string;
}

export type UploadOutcome = { ok: true; upload: UploadRecord } | { ok: false; name: string; message: string };

/** Uploads are private to the account databot runs as. */
const PRIVATE_DIR = { recursive: true, mode: 0o700 } as const;

const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class UploadStore {
  readonly dir: string;

  constructor(
    dataDir: string,
    private readonly policy: FilePolicy,
  ) {
    this.dir = path.join(dataDir, "web-uploads");
  }

  /**
   * Checks and stores one file. A refusal (type, name, content, size) is an outcome, not an error; `source` is
   * consumed or destroyed either way.
   */
  async save(name: string, source: Readable): Promise<UploadOutcome> {
    const verdict = this.policy.precheck({ name });
    if (!verdict.ok) {
      source.destroy();
      return { ok: false, name, message: new FileRefusedError(name, verdict.reason).userMessage };
    }
    await fsp.mkdir(this.dir, PRIVATE_DIR);
    const id = randomUUID();
    const target = this.dataPath(id);
    try {
      const checked = await this.policy.inspect(source, verdict.name, verdict.type);
      await pipeline(checked, fs.createWriteStream(target, { flags: "wx" }));
    } catch (error) {
      await fsp.rm(target, { force: true });
      if (error instanceof FileRefusedError) return { ok: false, name, message: error.userMessage };
      throw error;
    }
    const record: UploadRecord = {
      id,
      name: verdict.name,
      mimeType: verdict.type.mimeTypes[0]!,
      size: (await fsp.stat(target)).size,
      createdAt: new Date().toISOString(),
    };
    await fsp.writeFile(this.metaPath(id), JSON.stringify(record));
    return { ok: true, upload: record };
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

  /** Deletes uploads older than `maxAgeMs` (dropped but never sent, or kept for a retry that never came). */
  async sweep(maxAgeMs: number): Promise<number> {
    let removed = 0;
    let names: string[];
    try {
      names = await fsp.readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return 0;
      throw error;
    }
    const cutoff = Date.now() - maxAgeMs;
    for (const name of names) {
      const stat = await fsp.stat(path.join(this.dir, name)).catch(() => undefined);
      if (stat && stat.mtimeMs < cutoff) {
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
