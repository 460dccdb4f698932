/** The event bus of a single process: subscribers and current states in memory. */
import type { BusEvent, EventBus, StateChange } from "../../../core/ports/event-bus";
import type { JsonObject } from "../../../core/types";

export class MemoryEventBus implements EventBus {
  private readonly listeners = new Map<string, Set<(event: BusEvent) => void>>();
  private readonly states = new Map<string, JsonObject>();

  async publish(topic: string, event: BusEvent | undefined, change?: StateChange): Promise<void> {
    if (change) applyChange(this.states, topic, change);
    if (!event) return;
    for (const listener of [...(this.listeners.get(topic) ?? [])]) listener(event);
  }

  subscribe(topic: string, listener: (event: BusEvent) => void): () => void {
    let set = this.listeners.get(topic);
    if (!set) this.listeners.set(topic, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(topic);
    };
  }

  async state(topic: string): Promise<JsonObject | undefined> {
    return this.states.get(topic);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}

function applyChange(states: Map<string, JsonObject>, topic: string, change: StateChange): void {
  if ("set" in change) {
    states.set(topic, change.set);
    return;
  }
  const current = states.get(topic);
  if (!current) return;
  const when = change.when ?? {};
  if (Object.entries(when).every(([k, v]) => JSON.stringify(current[k]) === JSON.stringify(v))) {
    states.delete(topic);
  }
}
