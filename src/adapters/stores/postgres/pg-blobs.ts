/**
 * Blobs in PostgreSQL for several replicas: a row in `blobs` describes each copy and its bytes are 256 KiB rows
 * of `blob_chunks`, written one chunk at a time as the stream arrives and read back one chunk at a time as the
 * reader asks, so no blob is ever whole in memory. A copy is written under its own id and becomes the key's
 * blob only when complete (one statement swaps it in), so readers never see a part; a copy cut off by a crash
 * stays incomplete and is expired later.
 */
import { Readable } from "node:stream";
import type pg from "pg";
import {
  isBlobKey,
  isBlobPrefix,
  type BlobInfo,
  type BlobStore,
  type OpenedBlob,
  type PutBlobOptions,
  UNFINISHED_COPY_MS,
} from "../../../core/ports/blobs";
import type { JsonObject } from "../../../core/types";
import { cappedSource } from "../files/size-cap";
import { inTransaction, migrate, type MigrationSet } from "./database";

/** Each chunk row holds this much (the last one less). */
export const CHUNK_BYTES = 256 * 1024;

const BLOB_MIGRATIONS: MigrationSet = {
  component: "blobs",
  migrations: [
    {
      version: 1,
      name: "blobs described in one table, their bytes in chunks",
      sql: `
        CREATE TABLE blobs (
          id         BIGSERIAL PRIMARY KEY,
          key        TEXT NOT NULL,
          size       BIGINT NOT NULL DEFAULT 0,
          meta       JSONB NOT NULL DEFAULT '{}',
          complete   BOOLEAN NOT NULL DEFAULT false,
          created_at TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        CREATE UNIQUE INDEX blobs_complete_key ON blobs (key) WHERE complete;
        CREATE INDEX blobs_key_prefix ON blobs (key text_pattern_ops);
        CREATE TABLE blob_chunks (
          blob_id BIGINT NOT NULL REFERENCES blobs (id) ON DELETE CASCADE,
          seq     INTEGER NOT NULL,
          data    BYTEA NOT NULL,
          PRIMARY KEY (blob_id, seq)
        );`,
    },
  ],
};

interface BlobRow {
  id: string;
  key: string;
  size: string;
  meta: JsonObject;
  created_at: Date;
}

export class PgBlobStore implements BlobStore {
  private constructor(private readonly pool: pg.Pool) {}

  /** Applies the blob tables' migrations, then returns the store. */
  static async open(pool: pg.Pool): Promise<PgBlobStore> {
    await migrate(pool, BLOB_MIGRATIONS);
    return new PgBlobStore(pool);
  }

  async put(key: string, source: Readable, options: PutBlobOptions = {}): Promise<BlobInfo> {
    checkKey(key);
    const counter = cappedSource(source, options.maxBytes);
    const meta = options.meta ?? {};
    let id: string | undefined;
    try {
      const { rows } = await this.pool.query<{ id: string }>(
        "INSERT INTO blobs (key, meta) VALUES ($1, $2) RETURNING id",
        [key, meta],
      );
      id = rows[0]!.id;
      options.signal?.throwIfAborted();
      let seq = 0;
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      const flush = async (upTo: number) => {
        const all = Buffer.concat(pending);
        let offset = 0;
        for (; all.length - offset >= upTo && all.length - offset > 0; offset += CHUNK_BYTES) {
          const chunk = all.subarray(offset, offset + CHUNK_BYTES);
          await this.pool.query("INSERT INTO blob_chunks (blob_id, seq, data) VALUES ($1, $2, $3)", [
            id,
            seq++,
            chunk,
          ]);
          options.signal?.throwIfAborted();
        }
        pending = offset < all.length ? [all.subarray(offset)] : [];
        pendingBytes = all.length - offset;
      };
      const onAbort = () => counter.destroy(options.signal?.reason as Error);
      options.signal?.addEventListener("abort", onAbort, { once: true });
      for await (const chunk of counter as AsyncIterable<Buffer>) {
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= CHUNK_BYTES) await flush(CHUNK_BYTES);
      }
      await flush(1);
      options.signal?.removeEventListener("abort", onAbort);
      // One transaction: the old blob under this key goes and the new one takes its place together.
      const row = await inTransaction(this.pool, async (client) => {
        await client.query("DELETE FROM blobs WHERE key = $1 AND complete", [key]);
        const done = await client.query<BlobRow>(
          `UPDATE blobs SET complete = true, size = $2, created_at = now() WHERE id = $1
           RETURNING id, key, size, meta, created_at`,
          [id, counter.bytes],
        );
        return done.rows[0]!;
      });
      return toInfo(row);
    } catch (error) {
      counter.destroy();
      source.destroy();
      if (id) await this.pool.query("DELETE FROM blobs WHERE id = $1", [id]).catch(() => undefined);
      throw error;
    }
  }

  async get(key: string): Promise<OpenedBlob | undefined> {
    const row = await this.row(key);
    if (!row) return undefined;
    const info = toInfo(row);
    return { info, stream: this.chunks(row.id, info.size) };
  }

  async head(key: string): Promise<BlobInfo | undefined> {
    const row = await this.row(key);
    return row ? toInfo(row) : undefined;
  }

  async setMeta(key: string, meta: JsonObject): Promise<boolean> {
    if (!isBlobKey(key)) return false;
    const result = await this.pool.query("UPDATE blobs SET meta = $2 WHERE key = $1 AND complete", [
      key,
      meta,
    ]);
    return (result.rowCount ?? 0) > 0;
  }

  async move(from: string, to: string): Promise<boolean> {
    if (!isBlobKey(from)) return false;
    checkKey(to);
    return inTransaction(this.pool, async (client) => {
      const found = await client.query<{ id: string }>(
        "SELECT id FROM blobs WHERE key = $1 AND complete FOR UPDATE",
        [from],
      );
      if (found.rows.length === 0) return false;
      await client.query("DELETE FROM blobs WHERE key = $1 AND complete", [to]);
      await client.query("UPDATE blobs SET key = $2 WHERE id = $1", [found.rows[0]!.id, to]);
      return true;
    });
  }

  async delete(key: string): Promise<void> {
    if (!isBlobKey(key)) return;
    await this.pool.query("DELETE FROM blobs WHERE key = $1 AND complete", [key]);
  }

  async list(prefix: string): Promise<BlobInfo[]> {
    checkPrefix(prefix);
    const { rows } = await this.pool.query<BlobRow>(
      "SELECT id, key, size, meta, created_at FROM blobs WHERE key LIKE $1 AND complete ORDER BY key",
      [likePrefix(prefix)],
    );
    return rows.map(toInfo);
  }

  async deletePrefix(prefix: string): Promise<number> {
    checkPrefix(prefix);
    const result = await this.pool.query("DELETE FROM blobs WHERE key LIKE $1 AND complete", [
      likePrefix(prefix),
    ]);
    return result.rowCount ?? 0;
  }

  async expire(prefix: string, olderThanMs: number, now = Date.now()): Promise<number> {
    checkPrefix(prefix);
    const result = await this.pool.query<{ complete: boolean }>(
      `DELETE FROM blobs WHERE key LIKE $1 AND (created_at < $2 OR (NOT complete AND created_at < $3))
       RETURNING complete`,
      [
        likePrefix(prefix),
        new Date(now - olderThanMs),
        new Date(now - Math.min(olderThanMs, UNFINISHED_COPY_MS)),
      ],
    );
    return result.rows.filter((r) => r.complete).length;
  }

  private async row(key: string): Promise<BlobRow | undefined> {
    if (!isBlobKey(key)) return undefined;
    const { rows } = await this.pool.query<BlobRow>(
      "SELECT id, key, size, meta, created_at FROM blobs WHERE key = $1 AND complete",
      [key],
    );
    return rows[0];
  }

  /** The blob's bytes, one chunk row fetched each time the reader wants more. */
  private chunks(id: string, size: number): Readable {
    let seq = 0;
    let read = 0;
    const pool = this.pool;
    return new Readable({
      highWaterMark: CHUNK_BYTES,
      read() {
        const query = "SELECT data FROM blob_chunks WHERE blob_id = $1 AND seq = $2";
        pool.query<{ data: Buffer }>(query, [id, seq]).then(
          ({ rows }) => {
            const data = rows[0]?.data;
            if (data) {
              seq += 1;
              read += data.length;
              this.push(data);
            } else if (read < size) {
              // Deleted (or replaced and swept) while being read: never hand out a shortened file.
              this.destroy(new Error("the stored file was deleted while it was being read"));
            } else {
              this.push(null);
            }
          },
          (error: Error) => this.destroy(error),
        );
      },
    });
  }
}

function toInfo(row: BlobRow): BlobInfo {
  return { key: row.key, size: Number(row.size), createdAt: row.created_at.getTime(), meta: row.meta };
}

function checkKey(key: string): void {
  if (!isBlobKey(key)) throw new Error(`not a blob key: ${JSON.stringify(key.slice(0, 80))}`);
}

function checkPrefix(prefix: string): void {
  if (!isBlobPrefix(prefix)) throw new Error(`not a blob prefix: ${JSON.stringify(prefix.slice(0, 80))}`);
}

/** A LIKE pattern for keys under the prefix; `_` is a wildcard in LIKE and may appear in keys. */
function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
