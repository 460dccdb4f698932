/**
 * The local engine's thread records, on disk (one process) and in PostgreSQL (several replicas): changes of one
 * thread never overwrite each other, and a thread keeps its newest runs.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type pg from "pg";
import {
  MAX_RUN_RECORDS,
  newLocalId,
  type LocalThread,
  type LocalThreadRecords,
} from "../src/adapters/agents/local-engine/local-threads";
import { FileLocalThreadRecords } from "../src/adapters/agents/local-engine/thread-records";
import { PgLocalThreadRecords } from "../src/adapters/agents/local-engine/thread-records-postgres";
import { openPool } from "../src/adapters/stores/postgres/database";
import { createThrowawayDatabase } from "./support/postgres";

const newThread = (): LocalThread => ({
  id: newLocalId("thread"),
  createdAt: new Date().toISOString(),
  messages: [],
  runs: {},
  hadSession: false,
});

function recordStories(
  name: string,
  open: () => Promise<{ a: LocalThreadRecords; b: LocalThreadRecords; close(): Promise<void> }>,
) {
  describe(`local thread records in ${name}`, () => {
    let a: LocalThreadRecords;
    let b: LocalThreadRecords;
    let close: () => Promise<void>;
    beforeAll(async () => ({ a, b, close } = await open()));
    afterAll(() => close());

    test("twenty changes at once, from both sides, all land", async () => {
      const thread = newThread();
      await a.insert(thread);
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? a : b).update(thread.id, async (t) => {
            await new Promise((resolve) => setImmediate(resolve)); // a change that takes a moment
            t.messages.push({ id: `m${i}`, role: "user", text: `q${i}`, files: [], createdAt: "" });
          }),
        ),
      );
      const loaded = await b.load(thread.id);
      expect(loaded?.messages.map((m) => m.id).sort()).toEqual(
        Array.from({ length: 20 }, (_, i) => `m${i}`).sort(),
      );
    });

    test("a thread keeps its newest runs, oldest forgotten first", async () => {
      const thread = newThread();
      await a.insert(thread);
      const ids = Array.from({ length: MAX_RUN_RECORDS + 5 }, () => newLocalId("run"));
      for (const [i, id] of ids.entries()) {
        await (i % 3 ? a : b).update(thread.id, (t) => {
          t.runs[id] = { messageId: "m", status: "completed" };
        });
      }
      expect(Object.keys((await a.load(thread.id))!.runs)).toEqual(ids.slice(5));
    });

    test("threads last used before the cut-off are idle: by their newest message, or their creation", async () => {
      const now = Date.now();
      const daysAgo = (days: number) => new Date(now - days * 24 * 3600_000).toISOString();
      const message = (createdAt: string) => ({
        id: "m",
        role: "user" as const,
        text: "q",
        files: [],
        createdAt,
      });
      const forgotten = { ...newThread(), createdAt: daysAgo(40) };
      const oldButTalkedTo = { ...newThread(), createdAt: daysAgo(40), messages: [message(daysAgo(2))] };
      const talkedToLongAgo = { ...newThread(), createdAt: daysAgo(50), messages: [message(daysAgo(35))] };
      const fresh = newThread();
      for (const thread of [forgotten, oldButTalkedTo, talkedToLongAgo, fresh]) await a.insert(thread);

      const idle = await b.idleSince(new Date(now - 30 * 24 * 3600_000), 100);
      expect(idle.sort()).toEqual([forgotten.id, talkedToLongAgo.id].sort());
      expect(await b.idleSince(new Date(now - 30 * 24 * 3600_000), 1)).toHaveLength(1);
    });

    test("an unknown or deleted thread loads as nothing and cannot be changed", async () => {
      const thread = newThread();
      await a.insert(thread);
      await b.delete(thread.id);
      expect(await a.load(thread.id)).toBeUndefined();
      await expect(a.update(thread.id, () => undefined)).rejects.toThrow(/no local thread/);
    });
  });
}

recordStories("files", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "databot-local-records-"));
  const records = new FileLocalThreadRecords(dir);
  // One process: both sides are the same records (their queue is in memory).
  return { a: records, b: records, close: async () => fs.rmSync(dir, { recursive: true, force: true }) };
});

recordStories("PostgreSQL", async () => {
  const db = await createThrowawayDatabase("local_threads");
  const pools: pg.Pool[] = [openPool({ url: db.url }), openPool({ url: db.url })];
  const [a, b] = await Promise.all(pools.map((pool) => PgLocalThreadRecords.open(pool)));
  return {
    a: a!,
    b: b!,
    async close() {
      await Promise.all(pools.map((p) => p.end()));
      await db.drop();
    },
  };
});
