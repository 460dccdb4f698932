/**
 * The Store contract on PostgreSQL: one throwaway database for the suite, emptied before each story; "replicas"
 * are separate stores, each with its own pool. Also: opening names DATABASE_URL when the server is not there.
 */
import { openPool } from "../../src/adapters/stores/postgres/database";
import { PostgresStore } from "../../src/adapters/stores/postgres/postgres-store";
import { createThrowawayDatabase, type ThrowawayDatabase } from "../support/postgres";
import { storeContract } from "./store-contract";

let db: ThrowawayDatabase | undefined;

storeContract({
  name: "PostgreSQL",
  async reset() {
    if (!db) {
      db = await createThrowawayDatabase("store");
      await (await PostgresStore.open({ url: db.url })).close();
    }
    const pool = openPool({ url: db.url, maxConnections: 1 });
    try {
      await pool.query("TRUNCATE store_dedupe, store_inbox, store_threads, store_kv RESTART IDENTITY");
    } finally {
      await pool.end();
    }
  },
  async open(options) {
    return PostgresStore.open({ url: db!.url, maxConnections: 8, ...options });
  },
  async end() {
    await db?.drop();
  },
});

describe("PostgreSQL: opening the store", () => {
  test("an unreachable server is named, with DATABASE_URL and without the password", async () => {
    const url = "postgres://databot:s3cret@127.0.0.1:1/databot";
    const opening = PostgresStore.open({ url });
    await expect(opening).rejects.toThrow(/127\.0\.0\.1:1\/databot cannot be reached.*DATABASE_URL/);
    await expect(opening).rejects.not.toThrow(/s3cret/);
  });

  test("replicas starting together share one schema, and the second sees the first's work", async () => {
    const fresh = await createThrowawayDatabase("store_open");
    try {
      const [a, b] = await Promise.all([1, 2].map(() => PostgresStore.open({ url: fresh.url })));
      await a!.putThread("web:1", "local", "thread_1");
      expect(await b!.getThread("web:1")).toMatchObject({ agentThreadId: "thread_1" });
      await Promise.all([a!.close(), b!.close()]);
    } finally {
      await fresh.drop();
    }
  });
});
