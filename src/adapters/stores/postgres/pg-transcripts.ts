/** Web threads in PostgreSQL, for several replicas: one row per thread, one per entry. */
import type pg from "pg";
import {
  NEW_TITLE,
  type ThreadMeta,
  type TranscriptEntry,
  type TranscriptRecords,
} from "../../../core/ports/transcripts";
import { migrate, type MigrationSet } from "./database";

const WEB_TRANSCRIPT_MIGRATIONS: MigrationSet = {
  component: "web-transcripts",
  migrations: [
    {
      version: 1,
      name: "web chat threads and their entries",
      sql: `
        CREATE TABLE web_threads (
          id         TEXT PRIMARY KEY,
          title      TEXT NOT NULL,
          created_at TIMESTAMPTZ NOT NULL,
          updated_at TIMESTAMPTZ NOT NULL
        );
        CREATE INDEX web_threads_updated ON web_threads (updated_at DESC);
        CREATE TABLE web_entries (
          seq       BIGSERIAL PRIMARY KEY,
          thread_id TEXT NOT NULL REFERENCES web_threads (id) ON DELETE CASCADE,
          entry     JSONB NOT NULL
        );
        CREATE INDEX web_entries_thread ON web_entries (thread_id, seq);`,
    },
  ],
};

interface ThreadRow {
  id: string;
  title: string;
  created_at: Date;
  updated_at: Date;
}

export class PgTranscriptRecords implements TranscriptRecords {
  private constructor(private readonly pool: pg.Pool) {}

  static async open(pool: pg.Pool): Promise<PgTranscriptRecords> {
    await migrate(pool, WEB_TRANSCRIPT_MIGRATIONS);
    return new PgTranscriptRecords(pool);
  }

  async list(limit: number): Promise<ThreadMeta[]> {
    const { rows } = await this.pool.query<ThreadRow>(
      "SELECT * FROM web_threads ORDER BY updated_at DESC LIMIT $1",
      [limit],
    );
    return rows.map(toMeta);
  }

  async get(key: string): Promise<ThreadMeta | undefined> {
    const { rows } = await this.pool.query<ThreadRow>("SELECT * FROM web_threads WHERE id = $1", [key]);
    return rows[0] ? toMeta(rows[0]) : undefined;
  }

  async insert(meta: ThreadMeta): Promise<void> {
    await this.pool.query(
      "INSERT INTO web_threads (id, title, created_at, updated_at) VALUES ($1, $2, $3, $4)",
      [meta.id, meta.title, meta.createdAt, meta.updatedAt],
    );
  }

  async entries(key: string): Promise<TranscriptEntry[]> {
    const { rows } = await this.pool.query<{ entry: TranscriptEntry }>(
      "SELECT entry FROM web_entries WHERE thread_id = $1 ORDER BY seq",
      [key],
    );
    return rows.map((r) => r.entry);
  }

  async append(key: string, entry: TranscriptEntry, title?: string): Promise<boolean> {
    // One statement: the entry is added only if the thread (still) exists, and the thread is touched with it.
    const result = await this.pool.query(
      `WITH thread AS (
         UPDATE web_threads
            SET updated_at = $3,
                title = CASE WHEN $4::text IS NOT NULL AND title = $5 THEN $4::text ELSE title END
          WHERE id = $1
        RETURNING id)
       INSERT INTO web_entries (thread_id, entry) SELECT id, $2 FROM thread`,
      [key, entry, entry.at, title ?? null, NEW_TITLE],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async rename(key: string, title: string): Promise<boolean> {
    const result = await this.pool.query("UPDATE web_threads SET title = $2 WHERE id = $1", [key, title]);
    return (result.rowCount ?? 0) > 0;
  }

  async delete(key: string): Promise<void> {
    await this.pool.query("DELETE FROM web_threads WHERE id = $1", [key]);
  }

  async idleSince(cutoff: Date, limit: number): Promise<ThreadMeta[]> {
    const { rows } = await this.pool.query<ThreadRow>(
      "SELECT * FROM web_threads WHERE updated_at < $1 ORDER BY updated_at LIMIT $2",
      [cutoff, limit],
    );
    return rows.map(toMeta);
  }
}

function toMeta(row: ThreadRow): ThreadMeta {
  return {
    id: row.id,
    title: row.title,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
