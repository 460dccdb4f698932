import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type pg from "pg";
import { openPool } from "../src/adapters/stores/postgres/database";
import { PostgresUsageLedger } from "../src/adapters/stores/postgres/usage-ledger";
import { SqliteUsageLedger } from "../src/adapters/stores/sqlite/usage-ledger";
import { usageLedgerContract } from "./contracts/usage-ledger-contract";
import { createThrowawayDatabase, type ThrowawayDatabase } from "./support/postgres";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});
function sqliteFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "databot-usage-"));
  dirs.push(dir);
  return path.join(dir, "usage.sqlite");
}

usageLedgerContract({
  name: "SQLite",
  open: async () => new SqliteUsageLedger(sqliteFile()),
  openTwo: async () => {
    const file = sqliteFile();
    return [new SqliteUsageLedger(file), new SqliteUsageLedger(file)];
  },
});

describe("PostgreSQL", () => {
  let db: ThrowawayDatabase;
  const pools: pg.Pool[] = [];
  beforeAll(async () => {
    db = await createThrowawayDatabase("usage");
  });
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
    await db.drop();
  });
  async function fresh(): Promise<pg.Pool> {
    const pool = openPool({ url: db.url });
    pools.push(pool);
    await pool.query("DROP TABLE IF EXISTS usage_turns, usage_waitlist");
    await pool.query("DELETE FROM schema_migrations WHERE component = 'usage'").catch(() => undefined);
    return pool;
  }

  usageLedgerContract({
    name: "PostgreSQL",
    open: async () => PostgresUsageLedger.open(await fresh()),
    openTwo: async () => {
      const first = await PostgresUsageLedger.open(await fresh());
      const other = openPool({ url: db.url });
      pools.push(other);
      return [first, await PostgresUsageLedger.open(other)];
    },
  });
});
