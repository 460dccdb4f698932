import type { InboundMessage } from "../types";

/** What happened to a delivered message. */
export type ReceiveResult =
  /** Recorded in the durable inbox; it will be answered. */
  | { status: "accepted" }
  /** Already delivered (a platform retry or a twin event): nothing more will happen. */
  | { status: "duplicate" };

/**
 * Where adapters hand normalized messages. `receive` resolves once the message is durably recorded, so an
 * adapter acknowledges its platform right after it (or, for platforms that ack first, simply awaits it).
 */
export interface MessageSink {
  receive(message: InboundMessage): Promise<ReceiveResult>;
}
