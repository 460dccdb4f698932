/**
 * Generated files waiting to reach Teams: written to the data directory as they stream from the backend (never
 * held in memory), described in the store, and removed once delivered or after a day.
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { KeyValueSpace } from "../../../core/ports";
import type { ReplyFile } from "../../../core/types";

const ID_PATTERN = /^[0-9a-f-]{36}$/;

export interface SpooledFile {
  id: string;
  name: string;
  mimeType: string;
  size: number;
  path: string;
  createdAt: number;
}

export class FileSpool {
  constructor(
    private readonly dir: string,
    private readonly records: KeyValueSpace,
    readonly ttlMs: number,
  ) {}

  /** Streams a file to disk and records it; returns where it is and how big it turned out. */
  async spool(file: ReplyFile): Promise<SpooledFile> {
    await fs.promises.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const id = randomUUID();
    const filePath = this.pathOf(id);
    await pipeline(await file.open(), fs.createWriteStream(filePath, { mode: 0o600 }));
    const { size } = await fs.promises.stat(filePath);
    const record = {
      id,
      name: file.name,
      mimeType: file.mimeType,
      size,
      path: filePath,
      createdAt: Date.now(),
    };
    await this.records.put(
      id,
      { name: record.name, mimeType: record.mimeType, size, createdAt: record.createdAt },
      this.ttlMs,
    );
    return record;
  }

  /** A spooled file that still exists, or undefined (unknown id, expired, or already delivered). */
  async get(id: string): Promise<SpooledFile | undefined> {
    if (!ID_PATTERN.test(id)) return undefined;
    const value = await this.records.get<{
      name: string;
      mimeType: string;
      size: number;
      createdAt: number;
    }>(id);
    if (!value || Date.now() - value.createdAt > this.ttlMs) return undefined;
    const filePath = this.pathOf(id);
    if (!fs.existsSync(filePath)) return undefined;
    return { id, ...value, path: filePath };
  }

  async remove(id: string): Promise<void> {
    if (!ID_PATTERN.test(id)) return;
    await fs.promises.rm(this.pathOf(id), { force: true });
  }

  /** Deletes spooled files older than the time to live. */
  async sweep(): Promise<number> {
    let removed = 0;
    const entries = await fs.promises.readdir(this.dir).catch(() => [] as string[]);
    for (const entry of entries) {
      const filePath = path.join(this.dir, entry);
      const stat = await fs.promises.stat(filePath).catch(() => undefined);
      if (stat && Date.now() - stat.mtimeMs > this.ttlMs) {
        await fs.promises.rm(filePath, { force: true });
        removed += 1;
      }
    }
    return removed;
  }

  private pathOf(id: string): string {
    return path.join(this.dir, id);
  }
}
