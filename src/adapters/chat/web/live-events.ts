/**
 * Live updates for open browser tabs over Server-Sent Events: progress of the running turn and new transcript
 * entries, per thread. They travel on the event bus, so a tab connected to one replica sees a turn another
 * replica runs; the latest progress is the topic's state, so a tab that (re)connects mid-turn shows it at once.
 */
import type { Response } from "express";
import type { Logger } from "../../../core/logger";
import type { BusEvent, EventBus, StateChange } from "../../../core/ports/event-bus";
import type { JsonObject, Progress } from "../../../core/types";
import type { TranscriptEntry } from "./transcript";

const HEARTBEAT_MS = 15_000;

export type LiveEvent =
  { type: "progress"; messageId: string; progress: Progress } | { type: "entry"; entry: TranscriptEntry };

/** Where a thread's running turn is: its latest progress and the latest code it ran. */
export interface TurnStatus {
  messageId: string;
  progress: Progress;
  /** Kept so a tab that connects while the answer is being written still shows the code. */
  code?: string;
}

function topicOf(key: string): string {
  return `web:${key}`;
}

export class LiveEvents {
  private readonly streams = new Set<Response>();
  /** The latest code each turn run here ran, so its status keeps showing it while the answer is written. */
  private readonly codes = new Map<string, { messageId: string; code: string }>();
  private heartbeat?: NodeJS.Timeout;

  constructor(
    private readonly bus: EventBus,
    private readonly logger: Logger,
  ) {}

  /** The progress of a thread's running turn, if one is running (on any replica), as the browser gets it. */
  status(key: string): Promise<JsonObject | undefined> {
    return this.bus.state(topicOf(key));
  }

  publish(key: string, event: LiveEvent): void {
    let data: JsonObject;
    let change: StateChange | undefined;
    if (event.type === "progress") {
      if (event.progress.stage === "running_code") {
        this.codes.set(key, { messageId: event.messageId, code: event.progress.code });
      }
      const previous = this.codes.get(key);
      const code = previous?.messageId === event.messageId ? previous.code : undefined;
      data = { messageId: event.messageId, ...event.progress, ...(code ? { code } : {}) };
      change = { set: data };
    } else {
      if (event.entry.kind === "bot") {
        this.codes.delete(key);
        change = { clear: true };
      }
      data = event.entry as unknown as JsonObject;
    }
    this.bus.publish(topicOf(key), { type: event.type, data }, change).catch((error: unknown) => {
      this.logger.warn({ err: error }, "could not publish a live update");
    });
  }

  /** Streams a thread's events to `res` until the client goes away. */
  subscribe(key: string, res: Response): void {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    res.write("retry: 2000\n\n");
    // Events that arrive while the state is read wait behind it, so an older state never follows them.
    let queued: BusEvent[] | undefined = [];
    const sendState = async () => {
      const state = await this.status(key).catch(() => undefined);
      if (state) send(res, "progress", state);
    };
    const stop = this.bus.subscribe(
      topicOf(key),
      (event) => (queued ? queued.push(event) : send(res, event.type, event.data)),
      () => void sendState(),
    );
    void sendState().finally(() => {
      for (const event of queued ?? []) send(res, event.type, event.data);
      queued = undefined;
    });
    this.streams.add(res);
    this.startHeartbeat();
    res.on("close", () => {
      stop();
      this.streams.delete(res);
    });
  }

  /** Forgets a turn's progress when it stopped here without an answer (it goes on elsewhere or later). */
  endTurn(key: string, messageId: string): void {
    this.codes.delete(key);
    this.bus
      .publish(topicOf(key), undefined, { clear: true, when: { messageId } })
      .catch((error: unknown) => {
        this.logger.warn({ err: error }, "could not clear a live status");
      });
  }

  /** Forgets a deleted thread's live status. */
  forget(key: string): void {
    this.codes.delete(key);
    this.bus.publish(topicOf(key), undefined, { clear: true }).catch((error: unknown) => {
      this.logger.warn({ err: error }, "could not clear a live status");
    });
  }

  /** Ends every open stream (shutdown). */
  closeAll(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    for (const res of this.streams) res.end();
    this.streams.clear();
  }

  private startHeartbeat(): void {
    if (this.heartbeat) return;
    // A comment line now and then keeps proxies from closing an idle stream.
    this.heartbeat = setInterval(() => {
      for (const res of this.streams) res.write(": ping\n\n");
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }
}

function send(res: Response, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}
