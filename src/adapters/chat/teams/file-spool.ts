/**
 * Generated files waiting to reach Teams (a consent click, a download link): stored as blobs under
 * `teams-files/<id>` as they stream from the backend (never held in memory), with their description, so the
 * replica that serves the click or the download need not be the one that made the reply. Removed once
 * delivered or after a day.
 */
import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import type { BlobStore } from "../../../core/ports/blobs";
import { DatabotError, ErrorCode } from "../../../core/errors";
import type { ReplyFile } from "../../../core/types";

const PREFIX = "teams-files/";
const ID_PATTERN = /^[0-9a-f-]{36}$/;

export interface SpooledFile {
  id: string;
  name: string;
  mimeType: string;
  size: number;
  createdAt: number;
  /** The bytes, streamed. */
  open(): Promise<Readable>;
}

export class FileSpool {
  constructor(
    private readonly blobs: BlobStore,
    readonly ttlMs: number,
  ) {}

  /** Streams a file into the spool and records it; returns how big it turned out. */
  async spool(file: ReplyFile): Promise<SpooledFile> {
    const id = randomUUID();
    const info = await this.blobs.put(PREFIX + id, await file.open(), {
      meta: { name: file.name, mimeType: file.mimeType },
    });
    return this.described(id, file.name, file.mimeType, info.size, info.createdAt);
  }

  /** A spooled file that still exists, or undefined (unknown id, expired, or already delivered). */
  async get(id: string): Promise<SpooledFile | undefined> {
    if (!ID_PATTERN.test(id)) return undefined;
    const info = await this.blobs.head(PREFIX + id);
    if (!info || Date.now() - info.createdAt > this.ttlMs) return undefined;
    const { name, mimeType } = info.meta;
    if (typeof name !== "string") return undefined;
    return this.described(
      id,
      name,
      String(mimeType ?? "application/octet-stream"),
      info.size,
      info.createdAt,
    );
  }

  async remove(id: string): Promise<void> {
    if (!ID_PATTERN.test(id)) return;
    await this.blobs.delete(PREFIX + id);
  }

  /** Deletes spooled files older than the time to live. */
  sweep(): Promise<number> {
    return this.blobs.expire(PREFIX, this.ttlMs);
  }

  private described(
    id: string,
    name: string,
    mimeType: string,
    size: number,
    createdAt: number,
  ): SpooledFile {
    return {
      id,
      name,
      mimeType,
      size,
      createdAt,
      open: async () => {
        const blob = await this.blobs.get(PREFIX + id);
        if (!blob)
          throw new DatabotError(ErrorCode.AttachmentUnavailable, `"${name}" is no longer available.`);
        return blob.stream;
      },
    };
  }
}
