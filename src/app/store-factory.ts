/** Builds the store the configuration selects: SQLite under DATA_DIR by default, PostgreSQL with DATABASE_URL. */
import type pg from "pg";
import { checkReachable, openPool } from "../adapters/stores/postgres/database";
import { PostgresStore } from "../adapters/stores/postgres/postgres-store";
import { SqliteStore } from "../adapters/stores/sqlite/sqlite-store";
import type { StoreConfig } from "../config";
import type { InboxStats, Store } from "../core/ports";

export type StoreWithStats = Store & Partial<InboxStats>;

/** `pool`: the process's PostgreSQL pool, when it has one (its owner ends it). */
export async function storeFor(config: StoreConfig, pool?: pg.Pool): Promise<StoreWithStats> {
  if (config.kind === "postgres") {
    // Fails at start, naming DATABASE_URL, when the server cannot be reached; migrates under an advisory lock.
    return PostgresStore.open({ url: config.url, maxConnections: config.maxConnections, pool });
  }
  return new SqliteStore({ file: config.file });
}

/** The process's one PostgreSQL pool when DATABASE_URL is set; fails at start, naming it, when unreachable. */
export async function processPool(config: StoreConfig): Promise<pg.Pool | undefined> {
  if (config.kind !== "postgres") return undefined;
  const pool = openPool({ url: config.url, maxConnections: config.maxConnections });
  try {
    await checkReachable(pool, config.url);
    return pool;
  } catch (error) {
    await pool.end();
    throw error;
  }
}
