/**
 * One PostgreSQL connection pool per process, shared by every PostgreSQL-backed port (the inbox, the web chat's
 * transcripts, the Teams spool…), and the versioned migrations each of them brings. Migrations run at start
 * under a transaction-scoped advisory lock, so replicas starting together apply each one exactly once.
 */
import pg from "pg";
import { StartupError } from "../../../core/errors";

/** One schema change of one component, applied once, in version order. */
export interface Migration {
  version: number;
  /** Says what the change is for (kept in the migrations table). */
  name: string;
  sql: string;
}

/** The migrations a component (the store, the web chat…) owns; components version independently. */
export interface MigrationSet {
  component: string;
  migrations: readonly Migration[];
}

/** An arbitrary constant: every replica takes the same lock while it migrates. */
const MIGRATION_LOCK_KEY = 7_243_118_405;

export interface PostgresOptions {
  /** `postgres://user:password@host:port/database`. */
  url: string;
  /** Pool size; each running turn holds a connection only for single statements and short transactions. */
  maxConnections?: number;
  /** How long to wait for a connection before failing the call. */
  connectTimeoutMs?: number;
}

/** Opens a pool; connections are made lazily, so call {@link checkReachable} to fail fast at start. */
export function openPool(options: PostgresOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    idleTimeoutMillis: 30_000,
    application_name: "databot",
  });
  // An idle client that loses its server emits here; the next query on the pool gets a fresh connection.
  pool.on("error", () => undefined);
  return pool;
}

/**
 * Resolves when PostgreSQL answers; otherwise rejects with a message an operator can act on (the host and
 * database, never the password).
 */
export async function checkReachable(pool: pg.Pool, url: string): Promise<void> {
  try {
    await pool.query("SELECT 1");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StartupError(
      `PostgreSQL at ${describeUrl(url)} cannot be reached (${reason}). Check DATABASE_URL.`,
      {
        cause: error,
      },
    );
  }
}

/** The URL without its password, for messages and logs. */
function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || "5432"}${parsed.pathname}`;
  } catch {
    return "(an unparsable DATABASE_URL)";
  }
}

/** Applies the set's migrations not applied yet, each in its own transaction, under the migration lock. */
export async function migrate(pool: pg.Pool, set: MigrationSet): Promise<number[]> {
  const client = await pool.connect();
  const applied: number[] = [];
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      component  TEXT NOT NULL,
      version    INTEGER NOT NULL,
      name       TEXT NOT NULL,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      PRIMARY KEY (component, version))`);
    const done = await client.query<{ version: number }>(
      "SELECT version FROM schema_migrations WHERE component = $1",
      [set.component],
    );
    const have = new Set(done.rows.map((row) => row.version));
    for (const migration of [...set.migrations].sort((a, b) => a.version - b.version)) {
      if (have.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query("INSERT INTO schema_migrations (component, version, name) VALUES ($1, $2, $3)", [
        set.component,
        migration.version,
        migration.name,
      ]);
      applied.push(migration.version);
    }
    await client.query("COMMIT");
    return applied;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Runs `work` in one transaction on one connection. */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
