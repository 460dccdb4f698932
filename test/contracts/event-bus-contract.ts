/**
 * What every EventBus does: run by `test/event-buses.test.ts` in memory (one process) and on PostgreSQL, where
 * the publisher and the subscriber are two buses as two replicas would have.
 */
import type { BusEvent, EventBus } from "../../src/core/ports/event-bus";

export interface BusPair {
  /** The replica that publishes. */
  a: EventBus;
  /** The replica whose browser tabs listen (the same bus in one process). */
  b: EventBus;
}

/** Collects a topic's events; `next(n)` waits until n arrived. */
export function collect(bus: EventBus, topic: string) {
  const events: BusEvent[] = [];
  let wake: () => void = () => undefined;
  const stop = bus.subscribe(topic, (event) => {
    events.push(event);
    wake();
  });
  return {
    events,
    stop,
    async next(count: number): Promise<BusEvent[]> {
      while (events.length < count) await new Promise<void>((resolve) => (wake = resolve));
      return events;
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

export function eventBusContract(name: string, open: () => Promise<BusPair>, close: () => Promise<void>) {
  describe(`${name} event bus`, () => {
    let a: EventBus;
    let b: EventBus;
    beforeAll(async () => ({ a, b } = await open()));
    afterAll(() => close());

    test("a tab on one replica sees every step of a turn another replica publishes, in order", async () => {
      const seen = collect(b, "web:thread-1");
      const steps = ["queued", "thinking", "running_code", "answering", "posting"];
      for (const [i, stage] of steps.entries()) {
        void a.publish("web:thread-1", { type: "progress", data: { stage, i } });
      }
      const events = await seen.next(steps.length);
      expect(events.map((e) => e.data.stage)).toEqual(steps);
      seen.stop();
    });

    test("an answer too big for one notification arrives whole, in its place among the small ones", async () => {
      const seen = collect(b, "web:thread-2");
      const long = "Revenue rose in every region. ".repeat(2000);
      await a.publish("web:thread-2", { type: "progress", data: { stage: "thinking" } });
      await a.publish("web:thread-2", { type: "progress", data: { stage: "answering", text: long } });
      await a.publish("web:thread-2", { type: "entry", data: { text: "done" } });
      const events = await seen.next(3);
      expect(events.map((e) => e.type)).toEqual(["progress", "progress", "entry"]);
      expect(events[1]!.data.text).toBe(long);
      seen.stop();
    });

    test("each topic hears only its own events, and no one after unsubscribing", async () => {
      const one = collect(b, "web:t-one");
      const two = collect(b, "web:t-two");
      await a.publish("web:t-one", { type: "x", data: { n: 1 } });
      await a.publish("web:t-two", { type: "x", data: { n: 2 } });
      expect((await one.next(1)).map((e) => e.data.n)).toEqual([1]);
      expect((await two.next(1)).map((e) => e.data.n)).toEqual([2]);
      one.stop();
      await a.publish("web:t-one", { type: "x", data: { n: 3 } });
      await a.publish("web:t-two", { type: "x", data: { n: 4 } });
      await two.next(2);
      await settle();
      expect(one.events).toHaveLength(1);
      two.stop();
    });

    test("a tab that connects late reads the current state, set on another replica", async () => {
      await a.publish("web:thread-3", undefined, { set: { messageId: "m1", stage: "thinking" } });
      expect(await b.state("web:thread-3")).toEqual({ messageId: "m1", stage: "thinking" });
      await a.publish(
        "web:thread-3",
        { type: "progress", data: {} },
        { set: { messageId: "m1", stage: "posting" } },
      );
      expect(await b.state("web:thread-3")).toEqual({ messageId: "m1", stage: "posting" });
    });

    test("a state is cleared only when it still belongs to the turn that clears it", async () => {
      await a.publish("web:thread-4", undefined, { set: { messageId: "m2", stage: "thinking" } });
      await a.publish("web:thread-4", undefined, { clear: true, when: { messageId: "m1" } });
      expect(await b.state("web:thread-4")).toEqual({ messageId: "m2", stage: "thinking" });
      await a.publish("web:thread-4", undefined, { clear: true, when: { messageId: "m2" } });
      expect(await b.state("web:thread-4")).toBeUndefined();
      await a.publish("web:thread-4", undefined, { set: { messageId: "m3" } });
      await a.publish("web:thread-4", undefined, { clear: true });
      expect(await b.state("web:thread-4")).toBeUndefined();
    });
  });
}
