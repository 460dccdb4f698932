import {
  checkReachable,
  inTransaction,
  migrate,
  openPool,
  type MigrationSet,
} from "../src/adapters/stores/postgres/database";
import { createThrowawayDatabase, type ThrowawayDatabase } from "./support/postgres";

const notes: MigrationSet = {
  component: "notes",
  migrations: [
    {
      version: 1,
      name: "notes table",
      sql: "CREATE TABLE notes (id SERIAL PRIMARY KEY, body TEXT NOT NULL)",
    },
    { version: 2, name: "notes author", sql: "ALTER TABLE notes ADD COLUMN author TEXT" },
  ],
};

describe("schema migrations on PostgreSQL", () => {
  let db: ThrowawayDatabase;
  beforeAll(async () => {
    db = await createThrowawayDatabase("migrations");
  });
  afterAll(async () => {
    await db.drop();
  });

  test("replicas starting together apply each migration exactly once", async () => {
    const pools = [1, 2, 3].map(() => openPool({ url: db.url }));
    const [first] = pools as [ReturnType<typeof openPool>];
    try {
      const results = await Promise.all(pools.map((pool) => migrate(pool, notes)));
      expect(results.flat().sort()).toEqual([1, 2]);
      const rows = await first.query("SELECT version FROM schema_migrations WHERE component = 'notes'");
      expect(rows.rows.map((r: { version: number }) => r.version).sort()).toEqual([1, 2]);
      await first.query("INSERT INTO notes (body, author) VALUES ('hi', 'ana')");
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });

  test("a later migration is applied to a database that has the earlier ones", async () => {
    const pool = openPool({ url: db.url });
    try {
      const later: MigrationSet = {
        ...notes,
        migrations: [
          ...notes.migrations,
          { version: 3, name: "index", sql: "CREATE INDEX ON notes (author)" },
        ],
      };
      expect(await migrate(pool, later)).toEqual([3]);
      expect(await migrate(pool, later)).toEqual([]);
    } finally {
      await pool.end();
    }
  });

  test("a transaction commits all its statements, or none when one of them fails", async () => {
    const pool = openPool({ url: db.url });
    try {
      await inTransaction(pool, async (client) => {
        await client.query("INSERT INTO notes (body) VALUES ('first')");
        await client.query("INSERT INTO notes (body) VALUES ('second')");
      });
      const failing = inTransaction(pool, async (client) => {
        await client.query("INSERT INTO notes (body) VALUES ('lost')");
        await client.query("INSERT INTO notes (body) VALUES (NULL)");
      });
      await expect(failing).rejects.toThrow(/null value/);
      const rows = await pool.query("SELECT body FROM notes WHERE body <> 'hi' ORDER BY id");
      expect(rows.rows.map((r: { body: string }) => r.body)).toEqual(["first", "second"]);
    } finally {
      await pool.end();
    }
  });

  test("an unreachable server is reported with its address and without the password", async () => {
    const url = "postgres://databot:s3cret@127.0.0.1:1/databot";
    const pool = openPool({ url, connectTimeoutMs: 1000 });
    try {
      const failure = checkReachable(pool, url);
      await expect(failure).rejects.toThrow(
        /PostgreSQL at 127\.0\.0\.1:1\/databot cannot be reached.*DATABASE_URL/,
      );
      await expect(failure).rejects.not.toThrow(/s3cret/);
    } finally {
      await pool.end();
    }
  });
});
