/** Replicas sharing one store: two instances on one database race for the same deliveries and the same work. */
import type { InboundMessage } from "../../src/core/types";
import { threadOf, userMessage } from "../support/messages";
import type { ContractStore, StoreKit } from "./store-contract";

const HOUR = 3600_000;
const tick = () => new Promise((resolve) => setImmediate(resolve));
const pause = () => new Promise((resolve) => setTimeout(resolve, 1));

/** A fixed shuffle (a small linear congruential generator), so a failure can be replayed. */
function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  let seed = 42;
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

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
    // Each thread's four messages arrive mixed in among the others', often right after each other.
    const arrivals = shuffled(threads.flatMap((thread) => [thread, thread, thread, thread]));
    const sent = new Map<string, string[]>();
    for (const [i, thread] of arrivals.entries()) {
      const ids = sent.get(thread) ?? [];
      const message = userMessage(thread, `m${ids.length}`, [], { id: `${thread}#${ids.length}` });
      await replicas[i % 2]!.enqueue(message, HOUR);
      sent.set(thread, [...ids, message.id]);
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
        await pause(); // answering
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
