/** The inbox as one replica sees it: dedupe, claim order, leases, take-back, release, reopen, checkpoints. */
import { sqlCounter } from "../../src/adapters/stores/sql-counter";
import { threadOf, userMessage } from "../support/messages";
import type { StoreKit } from "./store-contract";

const HOUR = 3600_000;

export function inboxStories(kit: StoreKit): void {
  test("a message id, or any of its alternate ids, is remembered for the dedupe TTL and not after", async () => {
    const store = await kit.store();
    const message = userMessage(threadOf("t"), "hi", [], { id: "m1", alternateIds: ["evt1"] });
    expect(await store.enqueue(message, 24 * HOUR)).toMatchObject({ accepted: true });
    kit.clock += 23 * HOUR;
    // The same message delivered again under its event id, or with the ids the other way round.
    const sameEvent = { ...message, id: "evt1", alternateIds: [] };
    expect(await store.enqueue(sameEvent, 24 * HOUR)).toEqual({ accepted: false, reason: "duplicate" });
    const swapped = { ...message, id: "other", alternateIds: ["m1"] };
    expect(await store.enqueue(swapped, 24 * HOUR)).toEqual({ accepted: false, reason: "duplicate" });
    expect(await store.inboxDepth()).toEqual({ pending: 1, processing: 0 });

    kit.clock += 2 * HOUR;
    await store.purgeExpired(0);
    expect(await store.enqueue({ ...message, id: "m1-later", alternateIds: [] }, 24 * HOUR)).toMatchObject({
      accepted: true,
    });
    expect(await store.enqueue({ ...message, id: "evt1", alternateIds: [] }, 24 * HOUR)).toMatchObject({
      accepted: true,
    });
  });

  test("an accepted message says how many earlier messages of its thread are still unfinished", async () => {
    const store = await kit.store();
    const a = threadOf("a");
    const first = await store.enqueue(userMessage(a, "a1", [], { id: "a1" }), HOUR);
    expect(first).toMatchObject({ accepted: true, ahead: 0 });
    expect(await store.enqueue(userMessage(a, "a2", [], { id: "a2" }), HOUR)).toMatchObject({ ahead: 1 });
    expect(await store.enqueue(userMessage(threadOf("b"), "b1", [], { id: "b1" }), HOUR)).toMatchObject({
      ahead: 0,
    });
    // The first one running still counts; once finished it no longer does.
    const claimed = await store.claimNext("w1", 1000, ["cli"]);
    expect(claimed?.message.id).toBe("a1");
    expect(await store.enqueue(userMessage(a, "a3", [], { id: "a3" }), HOUR)).toMatchObject({ ahead: 2 });
    await store.finish(claimed!.lease, "done");
    expect(await store.enqueue(userMessage(a, "a4", [], { id: "a4" }), HOUR)).toMatchObject({ ahead: 2 });
  });

  test("claims follow arrival order, one item per thread at a time, and only for the worker's platforms", async () => {
    const store = await kit.store();
    const a = threadOf("a");
    const b = threadOf("b");
    await store.enqueue(userMessage(a, "a1", [], { id: "a1" }), HOUR);
    await store.enqueue(userMessage(a, "a2", [], { id: "a2" }), HOUR);
    await store.enqueue(userMessage(b, "b1", [], { id: "b1" }), HOUR);
    await store.enqueue(userMessage(threadOf("s", "slack"), "s1", [], { id: "s1" }), HOUR);

    const first = await store.claimNext("w1", 1000, ["cli"]);
    const second = await store.claimNext("w2", 1000, ["cli"]);
    expect([first?.message.id, second?.message.id]).toEqual(["a1", "b1"]);
    expect(first).toMatchObject({ status: "processing", attempts: 1, lease: { seq: first!.seq } });
    expect(await store.claimNext("w3", 1000, ["cli"])).toBeUndefined(); // a2 waits for a1
    expect(await store.claimNext("w3", 1000, [])).toBeUndefined();

    expect(await store.finish(first!.lease, "done")).toBe(true);
    expect((await store.claimNext("w3", 1000, ["cli"]))?.message.id).toBe("a2");
    expect((await store.claimNext("w4", 1000, ["teams", "slack"]))?.message.id).toBe("s1");
    expect(await store.getItem(first!.seq)).toMatchObject({ status: "done" });
  });

  test("finding nothing to claim is one read and writes nothing; a claim is one write", async () => {
    const counter = sqlCounter();
    const store = await kit.store(counter);
    const t = threadOf("t");
    await store.enqueue(userMessage(t, "one", [], { id: "one" }), HOUR);
    await store.enqueue(userMessage(t, "two", [], { id: "two" }), HOUR);

    const before = { ...counter };
    const claimed = await store.claimNext("w", 1000, ["cli"]);
    expect(claimed?.message.id).toBe("one");
    expect(counter.writeTransactions - before.writeTransactions).toBe(1);

    // "two" waits behind "one": there is work in the inbox but none runnable, and the empty inbox of another platform.
    for (const platforms of [["cli"], ["slack"]]) {
      const mark = { ...counter };
      expect(await store.claimNext("w", 1000, platforms)).toBeUndefined();
      expect(counter.writeTransactions).toBe(mark.writeTransactions);
      expect(counter.statements - mark.statements).toBe(1);
    }
  });

  test("an accepted message costs one write transaction, a duplicate no more", async () => {
    const counter = sqlCounter();
    const store = await kit.store(counter);
    const message = userMessage(threadOf("t"), "hi", [], { alternateIds: ["evt-9"] });
    expect(await store.enqueue(message, HOUR)).toMatchObject({ accepted: true });
    expect(await store.enqueue(message, HOUR)).toMatchObject({ accepted: false });
    expect(counter.writeTransactions).toBe(2);
  });

  test("a lapsed lease lets another worker take the item over, and the old lease can no longer write", async () => {
    const store = await kit.store();
    await store.enqueue(userMessage(threadOf("t"), "q", [], { id: "q" }), HOUR);
    const claimed = await store.claimNext("dead", 1000, ["cli"]);
    expect(await store.saveCheckpoint(claimed!.lease, { runId: "run_1" })).toBe(true);
    expect(await store.renewLease(claimed!.lease, 1000)).toBe(true);
    expect(await store.claimNext("alive", 1000, ["cli"])).toBeUndefined();

    kit.clock += 1001;
    const taken = await store.claimNext("alive", 1000, ["cli"]);
    expect(taken).toMatchObject({ seq: claimed!.seq, attempts: 2, checkpoint: { runId: "run_1" } });
    expect(await store.saveCheckpoint(claimed!.lease, { agentMessageId: "msg_2" })).toBe(false);
    expect(await store.renewLease(claimed!.lease, 1000)).toBe(false);
    expect(await store.finish(claimed!.lease, "done")).toBe(false);
    await store.release(claimed!.lease, 0);
    expect(await store.getItem(claimed!.seq)).toMatchObject({
      status: "processing",
      checkpoint: { runId: "run_1" },
    });

    expect(await store.renewLease(taken!.lease, 1000)).toBe(true);
    expect(await store.finish(taken!.lease, "done")).toBe(true);
    expect(await store.finish(taken!.lease, "done")).toBe(false);
  });

  test("a worker that claims its own lapsed item again holds only the new lease", async () => {
    const store = await kit.store();
    await store.enqueue(userMessage(threadOf("t"), "q", [], { id: "q" }), HOUR);
    const first = await store.claimNext("replica-1", 1000, ["cli"]);
    kit.clock += 1001;
    const second = await store.claimNext("replica-1", 1000, ["cli"]);
    expect(second?.seq).toBe(first!.seq);
    expect(second!.lease.token).not.toBe(first!.lease.token);
    expect(await store.saveCheckpoint(first!.lease, { runId: "stale" })).toBe(false);
    expect(await store.renewLease(first!.lease, 1000)).toBe(false);
    expect(await store.finish(first!.lease, "failed", "stale")).toBe(false);
    expect(await store.saveCheckpoint(second!.lease, { runId: "fresh" })).toBe(true);
    expect(await store.getItem(first!.seq)).toMatchObject({
      status: "processing",
      checkpoint: { runId: "fresh" },
    });
  });

  test("at a restart a replica takes back what its earlier process held; others keep theirs", async () => {
    const store = await kit.store();
    for (const name of ["a", "b", "c"]) {
      await store.enqueue(userMessage(threadOf(name), name, [], { id: name }), HOUR);
    }
    const a = await store.claimNext("replica-1", 60_000, ["cli"]);
    const b = await store.claimNext("replica-1", 60_000, ["cli"]);
    const c = await store.claimNext("replica-2", 60_000, ["cli"]);
    expect(await store.inboxDepth()).toEqual({ pending: 0, processing: 3 });

    expect(await store.takeBack("replica-1")).toBe(2);
    expect(await store.inboxDepth()).toEqual({ pending: 2, processing: 1 });
    for (const gone of [a!, b!]) {
      expect(await store.saveCheckpoint(gone.lease, { runId: "old" })).toBe(false);
      expect(await store.renewLease(gone.lease, 1000)).toBe(false);
      expect(await store.finish(gone.lease, "done")).toBe(false);
    }
    // Claimable at once, long before the leases would have lapsed, and counted as another attempt.
    const again = await store.claimNext("replica-1", 60_000, ["cli"]);
    expect(again).toMatchObject({ message: { id: "a" }, attempts: 2 });
    expect(await store.renewLease(c!.lease, 60_000)).toBe(true);
    expect(await store.takeBack("nobody")).toBe(0);
  });

  test("a released item waits out its delay; a reopened failed item goes behind later messages", async () => {
    const store = await kit.store();
    const t = threadOf("t");
    await store.enqueue(userMessage(t, "one", [], { id: "one" }), HOUR);
    const one = await store.claimNext("w", 1000, ["cli"]);
    await store.release(one!.lease, 500);
    expect(await store.getItem(one!.seq)).toMatchObject({ status: "pending" });
    expect(await store.saveCheckpoint(one!.lease, { runId: "after release" })).toBe(false);
    expect(await store.claimNext("w", 1000, ["cli"])).toBeUndefined();
    kit.clock += 500;
    const again = await store.claimNext("w", 1000, ["cli"]);
    expect(again).toMatchObject({ seq: one!.seq, attempts: 2 });
    expect(await store.finish(again!.lease, "failed", "backend_busy")).toBe(true);
    await store.enqueue(userMessage(t, "two", [], { id: "two" }), HOUR);

    const failed = await store.latestInThread(t, "failed");
    expect(failed).toMatchObject({ lastError: "backend_busy", message: { id: "one" } });
    expect(await store.reopen(failed!.seq, { agentMessageId: "msg_1" })).toBe(true);
    expect(await store.reopen(failed!.seq, {})).toBe(false);
    const unfinished = await store.unfinishedInThread(t);
    expect(unfinished.map((i) => i.message.id)).toEqual(["two", "one"]);
    expect(unfinished[1]).toMatchObject({ status: "pending", checkpoint: { agentMessageId: "msg_1" } });
    const next = await store.claimNext("w", 1000, ["cli"]);
    expect(next?.message.id).toBe("two");
    expect(await store.claimNext("w", 1000, ["cli"])).toBeUndefined();
    await store.finish(next!.lease, "done");
    expect((await store.claimNext("w", 1000, ["cli"]))?.message.id).toBe("one");
    expect(await store.latestInThread(t, "done")).toMatchObject({ message: { id: "two" } });
  });

  test("forgetting a thread deletes its finished items at once and leaves its unfinished ones", async () => {
    const store = await kit.store();
    const t = threadOf("forgotten");
    const other = threadOf("kept");
    await store.enqueue(userMessage(other, "someone else's", [], { id: "o1" }), HOUR);
    await store.enqueue(userMessage(t, "revenue by region", [], { id: "f1" }), HOUR);
    await store.enqueue(userMessage(t, "and by month", [], { id: "f2" }), HOUR);
    await store.enqueue(userMessage(t, "still waiting", [], { id: "f3" }), HOUR);
    const answer = async (status: "done" | "failed") => {
      const item = (await store.claimNext("w1", HOUR, ["cli"]))!;
      await store.finish(item.lease, status, status === "failed" ? "backend_error" : undefined);
      return item;
    };
    const theirs = await answer("done");
    const done = await answer("done");
    const failed = await answer("failed");
    expect([theirs, done, failed].map((i) => i.message.id)).toEqual(["o1", "f1", "f2"]);

    expect(await store.forgetThread(t)).toBe(2);
    expect(await store.getItem(done.seq)).toBeUndefined();
    expect(await store.getItem(failed.seq)).toBeUndefined();
    expect((await store.unfinishedInThread(t)).map((i) => i.message.id)).toEqual(["f3"]);
    expect(await store.getItem(theirs.seq)).toMatchObject({ status: "done" });
    expect(await store.forgetThread(t)).toBe(0);
  });

  test("checkpoint patches replace top-level keys whole and keep the rest, the posted reply included", async () => {
    const store = await kit.store();
    await store.enqueue(userMessage(threadOf("t"), "q", [], { id: "q" }), HOUR);
    const item = await store.claimNext("w", 1000, ["cli"]);
    const { lease } = item!;
    await store.saveCheckpoint(lease, {
      agentThreadId: "thread_1",
      notices: [{ kind: "file_refused", file: "a", message: "Too big." }],
    });
    await store.saveCheckpoint(lease, {
      live: { channel: "draft", handle: { ts: "1.2", edited: null, parts: [1, 2] }, openedAt: 5 },
    });
    await store.saveCheckpoint(lease, { live: { channel: "stream", handle: { id: "s" }, openedAt: 6 } });
    await store.saveCheckpoint(lease, {
      posted: { at: 7, outcome: "done", ids: ["p1", "p2"] },
      runId: "run_1",
    });
    expect((await store.getItem(item!.seq))?.checkpoint).toEqual({
      agentThreadId: "thread_1",
      notices: [{ kind: "file_refused", file: "a", message: "Too big." }],
      live: { channel: "stream", handle: { id: "s" }, openedAt: 6 },
      posted: { at: 7, outcome: "done", ids: ["p1", "p2"] },
      runId: "run_1",
    });
    await store.saveCheckpoint(lease, {
      live: undefined,
      posted: { at: 8, outcome: "failed", errorCode: "backend_busy" },
    });
    expect((await store.getItem(item!.seq))?.checkpoint).toEqual({
      agentThreadId: "thread_1",
      notices: [{ kind: "file_refused", file: "a", message: "Too big." }],
      posted: { at: 8, outcome: "failed", errorCode: "backend_busy" },
      runId: "run_1",
    });
    await store.saveCheckpoint(lease, { live: { channel: "draft", handle: { edited: null }, openedAt: 9 } });
    expect((await store.getItem(item!.seq))?.checkpoint.live).toEqual({
      channel: "draft",
      handle: { edited: null },
      openedAt: 9,
    });
  });
}
