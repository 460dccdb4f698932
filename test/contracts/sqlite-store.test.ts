/**
 * The Store contract on SQLite: each story gets a new file, and "replicas" are separate connections to it (as
 * a second process on the same machine would be). Also: a file written by an earlier databot is migrated.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { SqliteStore } from "../../src/adapters/stores/sqlite/sqlite-store";
import { threadOf, userMessage } from "../support/messages";
import { storeContract } from "./store-contract";

let dir = "";
let file = "";

storeContract({
  name: "SQLite",
  async reset() {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "databot-store-"));
    file = path.join(dir, "databot.sqlite");
  },
  async open(options) {
    return new SqliteStore({ file, ...options });
  },
  async end() {
    fs.rmSync(dir, { recursive: true, force: true });
  },
});

describe("SQLite: a store file from an earlier version", () => {
  let old: string;
  beforeEach(() => {
    old = fs.mkdtempSync(path.join(os.tmpdir(), "databot-store-v1-"));
  });
  afterEach(() => fs.rmSync(old, { recursive: true, force: true }));

  test("is migrated forward at open: its messages, threads and values are kept, and leases get tokens", async () => {
    const v1 = path.join(old, "databot.sqlite");
    writeVersion1(v1);
    const store = new SqliteStore({ file: v1, now: () => 2_000_000 });
    try {
      expect(await store.getThread("cli:kept")).toMatchObject({ agentThreadId: "thread_kept" });
      expect(await store.space("slack.code").get("k")).toEqual({ code: "print(1)" });
      // A message seen before the upgrade is still a duplicate.
      const again = userMessage(threadOf("kept"), "again", [], { id: "seen" });
      expect(await store.enqueue(again, 3_600_000)).toEqual({ accepted: false, reason: "duplicate" });
      // The item the old process held has no token: its lease lapsed, and the new claim gets one.
      const claimed = await store.claimNext("replica", 1000, ["cli"]);
      expect(claimed).toMatchObject({ message: { id: "seen" }, attempts: 2 });
      expect(await store.finish(claimed!.lease, "done")).toBe(true);
    } finally {
      await store.close();
    }
    const reopened = new Database(v1);
    expect(reopened.pragma("user_version", { simple: true })).toBe(2);
    reopened.close();
  });

  test("is refused when a newer databot wrote it", () => {
    const newer = path.join(old, "databot.sqlite");
    const db = new Database(newer);
    db.pragma("user_version = 99");
    db.close();
    expect(() => new SqliteStore({ file: newer })).toThrow(/schema version 99.*knows up to 2/);
  });
});

/** A file as databot wrote it before lease tokens: one message under a lapsed lease, a thread and a value. */
function writeVersion1(file: string): void {
  const db = new Database(file);
  db.exec(`
    CREATE TABLE dedupe (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
    CREATE TABLE inbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT NOT NULL UNIQUE, thread_id TEXT NOT NULL,
      platform TEXT NOT NULL, message TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'done', 'failed')),
      attempts INTEGER NOT NULL DEFAULT 0, checkpoint TEXT NOT NULL DEFAULT '{}', lease_owner TEXT,
      lease_until INTEGER, not_before INTEGER NOT NULL DEFAULT 0, last_error TEXT, enqueued_at INTEGER NOT NULL,
      finished_at INTEGER);
    CREATE INDEX inbox_unfinished ON inbox (seq) WHERE status IN ('pending', 'processing');
    CREATE INDEX inbox_unfinished_thread ON inbox (thread_id, seq) WHERE status IN ('pending', 'processing');
    CREATE INDEX inbox_thread ON inbox (thread_id, seq);
    CREATE TABLE threads (chat_thread_id TEXT PRIMARY KEY, backend TEXT NOT NULL, agent_thread_id TEXT NOT NULL,
      created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
    CREATE TABLE kv (namespace TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, expires_at INTEGER,
      PRIMARY KEY (namespace, key));
    PRAGMA user_version = 1;
  `);
  const message = userMessage(threadOf("kept"), "before the upgrade", [], { id: "seen" });
  db.prepare("INSERT INTO dedupe VALUES ('seen', 9000000)").run();
  db.prepare(
    `INSERT INTO inbox (message_id, thread_id, platform, message, status, attempts, lease_owner, lease_until,
       enqueued_at) VALUES ('seen', ?, 'cli', ?, 'processing', 1, 'old-process', 1500000, 1000000)`,
  ).run(message.threadId, JSON.stringify(message));
  db.prepare("INSERT INTO threads VALUES ('cli:kept', 'local', 'thread_kept', 1000000, 1000000)").run();
  db.prepare(`INSERT INTO kv VALUES ('slack.code', 'k', '{"code":"print(1)"}', NULL)`).run();
  db.close();
}
