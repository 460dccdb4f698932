/**
 * Throwaway PostgreSQL databases for tests: each suite creates its own and drops it at the end, so suites never
 * share rows. The server is the loopback one this machine runs (`.ci/run` starts it when it is down);
 * `TEST_POSTGRES_URL` names another. When none answers, the suite fails with what to do: it never skips.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface ThrowawayDatabase {
  /** A URL for the new, empty database. */
  url: string;
  name: string;
  /** Drops the database, closing whatever is still connected to it. */
  drop(): Promise<void>;
}

const UNREACHABLE_HELP = `PostgreSQL is needed by this suite and cannot be reached at ${describe(ADMIN_URL)}.
Start the machine's server with:
  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start
or set TEST_POSTGRES_URL to a server where this user may CREATE DATABASE.`;

function describe(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || "5432"}`;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`${UNREACHABLE_HELP}\n(${error instanceof Error ? error.message : String(error)})`, {
      cause: error,
    });
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database named after the suite. */
export async function createThrowawayDatabase(label = "test"): Promise<ThrowawayDatabase> {
  const name = `databot_${label.replace(/\W/g, "_").toLowerCase()}_${randomBytes(4).toString("hex")}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () =>
      admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
