/**
 * The local engine's thread records in PostgreSQL, for several replicas: one JSON row per thread, changed in a
 * transaction that holds the row's lock, so changes from any replica apply one at a time. JSON rather than
 * JSONB: the order of the run records is their age.
 */
import type pg from "pg";
import { inTransaction, migrate, type MigrationSet } from "../../stores/postgres/database";
import { trimRuns, type LocalThread, type LocalThreadRecords } from "./local-threads";

const LOCAL_THREAD_MIGRATIONS: MigrationSet = {
  component: "local-engine",
  migrations: [
    {
      version: 1,
      name: "the local engine's threads",
      sql: `CREATE TABLE local_threads (
              id         TEXT PRIMARY KEY,
              record     JSON NOT NULL,
              updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
            );`,
    },
  ],
};

export class PgLocalThreadRecords implements LocalThreadRecords {
  private constructor(private readonly pool: pg.Pool) {}

  static async open(pool: pg.Pool): Promise<PgLocalThreadRecords> {
    await migrate(pool, LOCAL_THREAD_MIGRATIONS);
    return new PgLocalThreadRecords(pool);
  }

  async insert(thread: LocalThread): Promise<void> {
    trimRuns(thread);
    await this.pool.query("INSERT INTO local_threads (id, record) VALUES ($1, $2)", [thread.id, thread]);
  }

  async load(id: string): Promise<LocalThread | undefined> {
    const { rows } = await this.pool.query<{ record: LocalThread }>(
      "SELECT record FROM local_threads WHERE id = $1",
      [id],
    );
    return rows[0]?.record;
  }

  update<T>(id: string, change: (thread: LocalThread) => T | Promise<T>): Promise<T> {
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ record: LocalThread }>(
        "SELECT record FROM local_threads WHERE id = $1 FOR UPDATE",
        [id],
      );
      const thread = rows[0]?.record;
      if (!thread) throw new Error(`no local thread ${JSON.stringify(id.slice(0, 80))}`);
      const result = await change(thread);
      trimRuns(thread);
      await client.query("UPDATE local_threads SET record = $2, updated_at = now() WHERE id = $1", [
        id,
        thread,
      ]);
      return result;
    });
  }

  async delete(id: string): Promise<void> {
    await this.pool.query("DELETE FROM local_threads WHERE id = $1", [id]);
  }

  async idleSince(cutoff: Date, limit: number): Promise<string[]> {
    // The same "last activity" as the file records: the newest message, or the thread's creation.
    const { rows } = await this.pool.query<{ id: string }>(
      `SELECT id FROM local_threads
        WHERE COALESCE(NULLIF(record -> 'messages' -> -1 ->> 'createdAt', ''), record ->> 'createdAt')::timestamptz < $1
        LIMIT $2`,
      [cutoff, limit],
    );
    return rows.map((row) => row.id);
  }
}
