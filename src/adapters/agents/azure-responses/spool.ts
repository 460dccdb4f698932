/**
 * Where generated files wait for the chat. A container's files vanish with the container, so each file an answer
 * cites is downloaded as soon as the response completes — streamed to disk, never held in memory — and posted from
 * there. Spooled files are removed after a day, when no chat can still be fetching them.
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";

export interface SpooledFile {
  path: string;
  size: number;
  /** The first bytes, to tell images from other files. */
  head: Buffer;
}

/** Enough of a file to tell its type and, for an image, read its size from the header. */
const HEAD_BYTES = 64 * 1024;
const DEFAULT_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export class OutputSpool {
  private pruned = 0;

  constructor(
    readonly dir: string,
    private readonly maxAgeMs = DEFAULT_MAX_AGE_MS,
  ) {}

  /** Writes a download body to a new file in the spool. */
  async save(body: WebReadableStream<Uint8Array> | ReadableStream<Uint8Array>): Promise<SpooledFile> {
    await fs.promises.mkdir(this.dir, { recursive: true, mode: 0o700 });
    void this.pruneNow();
    const file = path.join(this.dir, randomUUID());
    let size = 0;
    const head: Buffer[] = [];
    let headSize = 0;
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        if (headSize < HEAD_BYTES) {
          head.push(chunk.subarray(0, HEAD_BYTES - headSize));
          headSize += Math.min(chunk.length, HEAD_BYTES - headSize);
        }
        done(null, chunk);
      },
    });
    try {
      await pipeline(
        Readable.fromWeb(body as WebReadableStream<Uint8Array>),
        measure,
        fs.createWriteStream(file, { mode: 0o600 }),
      );
    } catch (error) {
      await fs.promises.rm(file, { force: true });
      throw error;
    }
    return { path: file, size, head: Buffer.concat(head) };
  }

  /** A spooled file's bytes, as a stream. */
  open(file: string): Readable {
    return fs.createReadStream(file);
  }

  /** Reads a small spooled file (a chart) into memory. */
  read(file: string): Promise<Buffer> {
    return fs.promises.readFile(file);
  }

  /** Removes a spooled file that is no longer needed (a chart now held in memory). */
  async remove(file: string): Promise<void> {
    await fs.promises.rm(file, { force: true });
  }

  /** Removes files older than the maximum age (at most once an hour). */
  private async pruneNow(): Promise<void> {
    const now = Date.now();
    if (now - this.pruned < 60 * 60 * 1000) return;
    this.pruned = now;
    try {
      for (const name of await fs.promises.readdir(this.dir)) {
        const file = path.join(this.dir, name);
        const stat = await fs.promises.stat(file).catch(() => undefined);
        if (stat && now - stat.mtimeMs > this.maxAgeMs) await fs.promises.rm(file, { force: true });
      }
    } catch {
      // Pruning is housekeeping: a failure leaves files for the next attempt.
      this.pruned = 0;
    }
  }
}
