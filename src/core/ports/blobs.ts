import type { Readable } from "node:stream";
import type { JsonObject } from "../types";

/**
 * What is known about a stored blob. `meta` is the caller's own small description (a file name, who it belongs
 * to), kept with the bytes so no second store has to agree with this one.
 */
export interface BlobInfo {
  key: string;
  size: number;
  /** Milliseconds since the epoch when the blob was written (or its metadata last replaced). */
  createdAt: number;
  meta: JsonObject;
}

/** A stored blob opened for reading: its bytes arrive as a stream, never whole. */
export interface OpenedBlob {
  info: BlobInfo;
  stream: Readable;
}

export interface PutBlobOptions {
  /** The most bytes the blob may have; a longer stream fails with {@link BlobTooLargeError} and nothing is kept. */
  maxBytes?: number;
  meta?: JsonObject;
  /** Stops the copy; nothing is kept. */
  signal?: AbortSignal;
}

/** Raised by `put` when the stream passed `maxBytes`. */
export class BlobTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the content is larger than ${maxBytes} bytes`);
    this.name = "BlobTooLargeError";
  }
}

/**
 * Bytes that any replica may need: staged uploads, generated files awaiting delivery, a thread's files. Keys are
 * `/`-separated segments of letters, digits, spaces and `._-()` (none starts with a dot or a space); a prefix is a
 * folder and ends with `/`.
 *
 * Contract: `put` streams in, is all-or-nothing (a reader sees the old blob or the whole new one, never a part,
 * and a failed or refused copy leaves nothing), and replaces a blob with the same key. `get` streams out.
 * Implementations: a folder under `DATA_DIR` (one process), PostgreSQL chunks (several replicas).
 */
export interface BlobStore {
  put(key: string, source: Readable, options?: PutBlobOptions): Promise<BlobInfo>;
  /** The blob, or undefined when there is none under `key`. */
  get(key: string): Promise<OpenedBlob | undefined>;
  /** The blob's description without opening it. */
  head(key: string): Promise<BlobInfo | undefined>;
  /** Replaces the blob's metadata; false when there is no such blob. */
  setMeta(key: string, meta: JsonObject): Promise<boolean>;
  /** Gives the blob another key (replacing whatever was there); false when there was no blob to move. */
  move(from: string, to: string): Promise<boolean>;
  /** Deletes the blob if it exists. */
  delete(key: string): Promise<void>;
  /** Every blob whose key starts with `prefix`. */
  list(prefix: string): Promise<BlobInfo[]>;
  /** Deletes every blob under `prefix`; returns how many went. */
  deletePrefix(prefix: string): Promise<number>;
  /**
   * Deletes blobs under `prefix` written more than `olderThanMs` ago, and copies cut off by a crash that
   * started more than `olderThanMs` or {@link UNFINISHED_COPY_MS} ago, whichever is sooner. Returns how many
   * (complete) blobs went.
   */
  expire(prefix: string, olderThanMs: number, now?: number): Promise<number>;
}

/** A copy still unfinished after this long is taken for one cut off by a crash. */
export const UNFINISHED_COPY_MS = 3600_000;

const SEGMENT = /^[A-Za-z0-9_()-][A-Za-z0-9._() -]*$/;

/** True for a key every implementation accepts. */
export function isBlobKey(key: string): boolean {
  return key.length <= 512 && key.split("/").every((segment) => SEGMENT.test(segment));
}

/** True for a folder prefix (`a/b/`). */
export function isBlobPrefix(prefix: string): boolean {
  return prefix.endsWith("/") && isBlobKey(prefix.slice(0, -1));
}
