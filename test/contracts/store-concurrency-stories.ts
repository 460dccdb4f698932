/** Replicas sharing one store: two instances on one database race for the same deliveries and the same work. */
import type { InboundMessage } from "../../src/core/types";
import { threadOf, userMessage } from "../support/messages";
import type { ContractStore, StoreKit } from "./store-contract";

const HOUR = 3600_000;
const tick = () => new Promise((resolve) => setImmediate(resolve));

export function concurrencyStories(kit: StoreKit): void {
  test("of 50 deliveries of one message to two replicas at once, exactly one is accepted", async () => {
    const replicas = [await kit.store(), await kit.store()];
    const message = userMessage(threadOf("t"), "hi", [], { id: "msg-1", alternateIds: ["evt-1"] });
    // Half of them know the message by its event id first, as a retried webhook might.
    const deliveries = Array.from({ length: 50 }, (_, i): InboundMessage =>
      i % 2 === 0 ? message : { ...message, id: "evt-1", alternateIds: ["msg-1"] },
    );
    const results = await Promise.all(
      deliveries.map((delivery, i) => replicas[i % 2]!.enqueue(delivery, HOUR)),
    );
    expect(results.filter((result) => result.accepted)).toHaveLength(1);
    expect(await replicas[1]!.inboxDepth()).toEqual({ pending: 1, processing: 0 });
  });

  test("many workers on two replicas answer 200 messages in 50 threads: each once, in order, one per thread at a time", async () => {
    const replicas = [await kit.realTimeStore(), await kit.realTimeStore()];
    const threads = Array.from({ length: 50 }, (_, i) => threadOf(`t${i}`));
    const sent = new Map<string, string[]>();
    for (let round = 0; round < 4; round++) {
      for (const thread of threads) {
        const message = userMessage(thread, `m${round}`, [], { id: `${thread}#${round}` });
        await replicas[round % 2]!.enqueue(message, HOUR);
        sent.set(thread, [...(sent.get(thread) ?? []), message.id]);
      }
    }

    const answered = new Map<string, string[]>();
    const claims = new Map<number, number>();
    const busy = new Set<string>();
    const overlaps: string[] = [];
    let finished = 0;
    const worker = async (store: ContractStore, name: string) => {
      while (finished < 200) {
        const item = await store.claimNext(name, 60_000, ["cli"]);
        if (!item) {
          await tick();
          continue;
        }
        const thread = item.message.threadId;
        if (busy.has(thread)) overlaps.push(item.message.id);
        busy.add(thread);
        claims.set(item.seq, (claims.get(item.seq) ?? 0) + 1);
        answered.set(thread, [...(answered.get(thread) ?? []), item.message.id]);
        await tick();
        busy.delete(thread);
        expect(await store.finish(item.lease, "done")).toBe(true);
        finished++;
      }
    };
    await Promise.all(
      Array.from({ length: 16 }, (_, i) => worker(replicas[i % 2]!, `replica-${i % 2}/worker-${i}`)),
    );

    expect(overlaps).toEqual([]);
    expect([...claims.values()].every((count) => count === 1)).toBe(true);
    expect(claims.size).toBe(200);
    expect(answered).toEqual(sent);
    expect(await replicas[0]!.inboxDepth()).toEqual({ pending: 0, processing: 0 });
  });
}
