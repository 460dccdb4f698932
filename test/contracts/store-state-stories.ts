/** What the store keeps besides the inbox: the thread map, each adapter's values, and its own upkeep. */
import { threadOf, userMessage } from "../support/messages";
import type { StoreKit } from "./store-contract";

const HOUR = 3600_000;

export function stateStories(kit: StoreKit): void {
  test("the thread map remembers which agent thread each chat thread continues", async () => {
    const store = await kit.store();
    await store.putThread("web:1", "local", "thread_a");
    kit.clock += 10;
    await store.putThread("web:1", "azure", "thread_b");
    expect(await store.getThread("web:1")).toEqual({
      chatThreadId: "web:1",
      backend: "azure",
      agentThreadId: "thread_b",
      createdAt: new Date(1_000_000).toISOString(),
      updatedAt: new Date(1_000_010).toISOString(),
    });
    // Another replica sees it at once.
    expect((await (await kit.store()).getThread("web:1"))?.agentThreadId).toBe("thread_b");
    await store.deleteThread("web:1");
    expect(await store.getThread("web:1")).toBeUndefined();
    await store.deleteThread("web:1");
  });

  test("a platform's threads are listed newest first, and the prefix is matched literally", async () => {
    const store = await kit.store();
    await store.putThread("web:old", "local", "a");
    kit.clock += 10;
    await store.putThread("web:new", "local", "b");
    await store.putThread("web:same-time", "local", "c");
    await store.putThread("wEb:other", "local", "x");
    await store.putThread("we_b:underscore", "local", "y");
    await store.putThread("we%:percent", "local", "z");
    await store.putThread("w*b:star", "local", "s");
    await store.putThread("cli:x", "local", "w");
    const ids = async (prefix: string, limit = 10) =>
      (await store.listThreads(prefix, limit)).map((thread) => thread.chatThreadId);

    expect(await ids("web:")).toEqual(["web:same-time", "web:new", "web:old"]);
    expect(await ids("web:", 2)).toEqual(["web:same-time", "web:new"]);
    expect(await ids("we_")).toEqual(["we_b:underscore"]);
    expect(await ids("we%")).toEqual(["we%:percent"]);
    expect(await ids("w*")).toEqual(["w*b:star"]);
    expect(await ids("WEB:")).toEqual([]);
    kit.clock += 10;
    await store.putThread("web:old", "local", "a2"); // continued, so it is the newest now
    expect(await ids("web:")).toEqual(["web:old", "web:same-time", "web:new"]);
  });

  test("each adapter's values live in a space of its own, expire, and can be deleted", async () => {
    const store = await kit.store();
    const slack = store.space("slack.code");
    const teams = store.space("teams.refs");
    await slack.put("k", { code: "print(1)" }, 1000);
    await teams.put("k", ["a", 1, null, true]);
    expect(await slack.get("k")).toEqual({ code: "print(1)" });
    expect(await teams.get("k")).toEqual(["a", 1, null, true]);
    expect(await store.space("slack").get("k")).toBeUndefined();
    expect(await (await kit.store()).space("teams.refs").get("k")).toEqual(["a", 1, null, true]);

    kit.clock += 1001;
    expect(await slack.get("k")).toBeUndefined();
    await slack.put("k", "again");
    kit.clock += 10 * HOUR;
    expect(await slack.get("k")).toBe("again"); // put without a TTL keeps it
    await slack.put("n", 0);
    expect(await slack.get("n")).toBe(0);

    await teams.delete("k");
    expect(await teams.get("k")).toBeUndefined();
    expect(await slack.get("k")).toBe("again");
    await teams.delete("never-there");
  });

  test("upkeep removes old finished items and expired values, and keeps everything still in use", async () => {
    const store = await kit.store();
    const t = threadOf("t");
    await store.enqueue(userMessage(threadOf("u"), "busy", [], { id: "busy" }), HOUR);
    for (const id of ["old-done", "old-failed", "recent", "waiting"]) {
      await store.enqueue(userMessage(t, id, [], { id }), HOUR);
    }
    const busy = await store.claimNext("w", 10 * HOUR, ["cli"]);
    expect(busy?.message.id).toBe("busy");
    const seqs: Record<string, number> = {};
    for (const status of ["done", "failed"] as const) {
      const item = await store.claimNext("w", 10 * HOUR, ["cli"]);
      seqs[item!.message.id] = item!.seq;
      await store.finish(item!.lease, status);
    }
    kit.clock += 2 * HOUR;
    const recent = await store.claimNext("w", 10 * HOUR, ["cli"]);
    await store.finish(recent!.lease, "done");
    await store.space("a").put("short", 1, 1000);
    await store.space("a").put("long", 2, 10 * HOUR);

    kit.clock += 1001;
    await store.purgeExpired(HOUR);
    expect(await store.getItem(seqs["old-done"]!)).toBeUndefined();
    expect(await store.getItem(seqs["old-failed"]!)).toBeUndefined();
    expect(await store.getItem(recent!.seq)).toMatchObject({ status: "done" });
    expect((await store.unfinishedInThread(t)).map((item) => item.message.id)).toEqual(["waiting"]);
    expect(await store.renewLease(busy!.lease, HOUR)).toBe(true);
    expect(await store.space("a").get("long")).toBe(2);
    // The ids of the purged messages were remembered for an hour only: they are accepted again.
    expect(await store.enqueue(userMessage(t, "again", [], { id: "old-done" }), HOUR)).toMatchObject({
      accepted: true,
    });
    expect(await store.inboxDepth()).toEqual({ pending: 2, processing: 1 });
  });

  test("a store that answers resolves its ping; a closed one no longer does", async () => {
    const store = await kit.store();
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
    await expect(store.ping()).rejects.toThrow();
  });
}
