/** Builds the store the configuration selects: SQLite under DATA_DIR by default, PostgreSQL with DATABASE_URL. */
import { PostgresStore } from "../adapters/stores/postgres/postgres-store";
import { SqliteStore } from "../adapters/stores/sqlite/sqlite-store";
import type { StoreConfig } from "../config";
import type { InboxStats, Store } from "../core/ports";

export type StoreWithStats = Store & Partial<InboxStats>;

export async function storeFor(config: StoreConfig): Promise<StoreWithStats> {
  if (config.kind === "postgres") {
    // Fails at start, naming DATABASE_URL, when the server cannot be reached; migrates under an advisory lock.
    return PostgresStore.open({ url: config.url, maxConnections: config.maxConnections });
  }
  return new SqliteStore({ file: config.file });
}
