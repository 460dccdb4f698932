/** The blob store contract against the folder in DATA_DIR and against PostgreSQL, and how PostgreSQL keeps it. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type pg from "pg";
import { FsBlobStore } from "../src/adapters/stores/files/fs-blobs";
import { openPool } from "../src/adapters/stores/postgres/database";
import { CHUNK_BYTES, PgBlobStore } from "../src/adapters/stores/postgres/pg-blobs";
import { blobStoreContract, patternStream } from "./contracts/blob-store-contract";
import { createThrowawayDatabase, type ThrowawayDatabase } from "./support/postgres";

let dir: string;
blobStoreContract(
  "folder",
  async () => new FsBlobStore((dir = fs.mkdtempSync(path.join(os.tmpdir(), "databot-blobs-")))),
  async () => fs.rmSync(dir, { recursive: true, force: true }),
);

let db: ThrowawayDatabase;
let pool: pg.Pool;
blobStoreContract(
  "PostgreSQL",
  async () => {
    db = await createThrowawayDatabase("blobs");
    pool = openPool({ url: db.url });
    return PgBlobStore.open(pool);
  },
  async () => {
    await pool.end();
    await db.drop();
  },
);

describe("PostgreSQL blobs", () => {
  let store: PgBlobStore;
  beforeAll(async () => {
    db = await createThrowawayDatabase("blob_rows");
    pool = openPool({ url: db.url });
    store = await PgBlobStore.open(pool);
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  test("a file is kept in rows of at most 256 KiB, and deleting it deletes them", async () => {
    const size = 5 * CHUNK_BYTES + 1;
    await store.put("spool/five", patternStream(size));
    const { rows } = await pool.query<{ n: string; biggest: number }>(
      "SELECT count(*) AS n, max(length(data)) AS biggest FROM blob_chunks",
    );
    expect(rows[0]).toEqual({ n: "6", biggest: CHUNK_BYTES });
    await store.delete("spool/five");
    expect((await pool.query("SELECT 1 FROM blob_chunks")).rowCount).toBe(0);
  });

  test("a copy cut off before it completed is invisible and expires", async () => {
    await pool.query("INSERT INTO blobs (key, created_at) VALUES ('spool/cut', now() - interval '2 hours')");
    expect(await store.head("spool/cut")).toBeUndefined();
    await store.expire("spool/", 3600_000);
    expect((await pool.query("SELECT 1 FROM blobs WHERE key = 'spool/cut'")).rowCount).toBe(0);
  });
});
