import type { JsonObject } from "../types";

/** One event on a topic. */
export interface BusEvent {
  type: string;
  data: JsonObject;
}

/** What a publish does to the topic's current state, which a late subscriber reads first. */
export type StateChange =
  /** The state becomes this. */
  | { set: JsonObject }
  /** The state is cleared, or only when every field of `when` equals the current state's. */
  | { clear: true; when?: JsonObject };

/**
 * Live events to whoever listens, on any replica: the web chat's progress and new answers reach the tab
 * connected to replica A while replica B runs the turn. Delivery is at most once and in publish order per
 * publisher; nothing is replayed except the topic's current state, which a (re)connecting listener reads with
 * {@link EventBus.state}. Implementations: in memory (one process), PostgreSQL `LISTEN/NOTIFY`.
 */
export interface EventBus {
  /** Sends an event to every subscriber of the topic, on every replica, after applying `change` to its state. */
  publish(topic: string, event: BusEvent | undefined, change?: StateChange): Promise<void>;
  /**
   * Calls `listener` for each event published on the topic from now on, until the returned function is called.
   * `onGap` (if given) is called when events may have been missed (a lost connection came back): re-read the
   * state then.
   */
  subscribe(topic: string, listener: (event: BusEvent) => void, onGap?: () => void): () => void;
  /** The topic's current state, if any. */
  state(topic: string): Promise<JsonObject | undefined>;
  /** Stops listening and delivering. */
  close(): Promise<void>;
}
