/**
 * The store's promises the core relies on: dedupe with a TTL, per-thread order, leases that lapse after a crash,
 * and adapter values with expiry.
 */
import { SqliteStore } from "../src/adapters/stores/sqlite/sqlite-store";
import { threadOf, userMessage } from "./support/messages";

const HOUR = 3600_000;
let clock = 1_000_000;
let store: SqliteStore;

beforeEach(() => {
  clock = 1_000_000;
  store = new SqliteStore({ file: ":memory:", now: () => clock });
});
afterEach(async () => store.close());

test("a message id is remembered for the dedupe TTL and accepted again only after it", async () => {
  const message = userMessage(threadOf("t"), "hi", [], { id: "m1", alternateIds: ["evt1"] });
  expect(await store.enqueue(message, 24 * HOUR)).toMatchObject({ accepted: true });
  clock += 23 * HOUR;
  expect(await store.enqueue({ ...message, id: "evt1", alternateIds: [] }, 24 * HOUR)).toEqual({
    accepted: false,
    reason: "duplicate",
  });
  clock += 2 * HOUR;
  await store.purgeExpired(0);
  expect(await store.enqueue({ ...message, id: "m1-later" }, 24 * HOUR)).toMatchObject({ accepted: true });
});

test("claims follow arrival order, one item per thread at a time, and only for the worker's platforms", async () => {
  const a = threadOf("a");
  const b = threadOf("b");
  await store.enqueue(userMessage(a, "a1", [], { id: "a1" }), HOUR);
  await store.enqueue(userMessage(a, "a2", [], { id: "a2" }), HOUR);
  await store.enqueue(userMessage(b, "b1", [], { id: "b1" }), HOUR);
  await store.enqueue(userMessage(threadOf("s", "slack"), "s1", [], { id: "s1" }), HOUR);

  const first = await store.claimNext("w1", 1000, ["cli"]);
  const second = await store.claimNext("w2", 1000, ["cli"]);
  expect([first?.message.id, second?.message.id]).toEqual(["a1", "b1"]);
  expect(await store.claimNext("w3", 1000, ["cli"])).toBeUndefined(); // a2 waits for a1

  await store.finish(first!.seq, "w1", "done");
  expect((await store.claimNext("w3", 1000, ["cli"]))?.message.id).toBe("a2");
  expect((await store.claimNext("w4", 1000, ["slack"]))?.message.id).toBe("s1");
});

test("a lapsed lease lets another worker take the item over, and the old owner can no longer write", async () => {
  await store.enqueue(userMessage(threadOf("t"), "q", [], { id: "q" }), HOUR);
  const claimed = await store.claimNext("dead", 1000, ["cli"]);
  expect(await store.saveCheckpoint(claimed!.seq, "dead", { runId: "run_1" })).toBe(true);
  expect(await store.claimNext("alive", 1000, ["cli"])).toBeUndefined();

  clock += 1001;
  const taken = await store.claimNext("alive", 1000, ["cli"]);
  expect(taken).toMatchObject({ seq: claimed!.seq, attempts: 2, checkpoint: { runId: "run_1" } });
  expect(await store.saveCheckpoint(claimed!.seq, "dead", { agentMessageId: "msg_2" })).toBe(false);
  expect(await store.renewLease(claimed!.seq, "dead", 1000)).toBe(false);
  expect(await store.renewLease(claimed!.seq, "alive", 1000)).toBe(true);
});

test("a released item waits out its delay; a reopened failed item goes behind later messages", async () => {
  const t = threadOf("t");
  await store.enqueue(userMessage(t, "one", [], { id: "one" }), HOUR);
  const one = await store.claimNext("w", 1000, ["cli"]);
  await store.release(one!.seq, "w", 500);
  expect(await store.claimNext("w", 1000, ["cli"])).toBeUndefined();
  clock += 500;
  const again = await store.claimNext("w", 1000, ["cli"]);
  await store.finish(again!.seq, "w", "failed", "backend_busy");
  await store.enqueue(userMessage(t, "two", [], { id: "two" }), HOUR);

  const failed = await store.latestInThread(t, "failed");
  expect(failed).toMatchObject({ lastError: "backend_busy" });
  expect(await store.reopen(failed!.seq, { agentMessageId: "msg_1" })).toBe(true);
  expect((await store.unfinishedInThread(t)).map((i) => i.message.id)).toEqual(["two", "one"]);
  const next = await store.claimNext("w", 1000, ["cli"]);
  expect(next?.message.id).toBe("two");
});

test("the thread map and adapter values persist; values expire", async () => {
  await store.putThread("web:1", "local", "thread_a");
  await store.putThread("web:2", "local", "thread_b");
  await store.putThread("cli:x", "local", "thread_c");
  expect((await store.listThreads("web:", 10)).map((t) => t.agentThreadId).sort()).toEqual([
    "thread_a",
    "thread_b",
  ]);
  await store.deleteThread("web:1");
  expect(await store.getThread("web:1")).toBeUndefined();

  await store.putValue("slack.code", "k", { code: "print(1)" }, 1000);
  expect(await store.getValue("slack.code", "k")).toEqual({ code: "print(1)" });
  clock += 1001;
  expect(await store.getValue("slack.code", "k")).toBeUndefined();
});
