/**
 * Live updates for open browser tabs over Server-Sent Events: progress of the running turn and new transcript
 * entries, per thread. The latest progress is remembered, so a tab that (re)connects mid-turn shows it at once.
 */
import type { Response } from "express";
import type { Progress } from "../../../core/types";
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

export class LiveEvents {
  private readonly listeners = new Map<string, Set<Response>>();
  private readonly current = new Map<string, TurnStatus>();
  private heartbeat?: NodeJS.Timeout;

  /** The progress of a thread's running turn, if one is running, as the browser gets it. */
  status(key: string): Record<string, unknown> | undefined {
    const status = this.current.get(key);
    return status ? statusData(status) : undefined;
  }

  publish(key: string, event: LiveEvent): void {
    let data: unknown;
    if (event.type === "progress") {
      const previous = this.current.get(key);
      const code =
        event.progress.stage === "running_code"
          ? event.progress.code
          : previous?.messageId === event.messageId
            ? previous.code
            : undefined;
      const status: TurnStatus = { messageId: event.messageId, progress: event.progress, code };
      this.current.set(key, status);
      data = statusData(status);
    } else {
      if (event.entry.kind === "bot") this.current.delete(key);
      data = event.entry;
    }
    for (const res of this.listeners.get(key) ?? []) send(res, event.type, data);
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
    const status = this.current.get(key);
    if (status) send(res, "progress", statusData(status));
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(res);
    this.startHeartbeat();
    res.on("close", () => {
      set.delete(res);
      if (set.size === 0) this.listeners.delete(key);
    });
  }

  /** Forgets a turn's progress when it stopped here without an answer (it goes on elsewhere or later). */
  endTurn(key: string, messageId: string): void {
    if (this.current.get(key)?.messageId === messageId) this.current.delete(key);
  }

  /** Ends every open stream (shutdown). */
  closeAll(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    for (const set of this.listeners.values()) for (const res of set) res.end();
    this.listeners.clear();
  }

  private startHeartbeat(): void {
    if (this.heartbeat) return;
    // A comment line now and then keeps proxies from closing an idle stream.
    this.heartbeat = setInterval(() => {
      for (const set of this.listeners.values()) for (const res of set) res.write(": ping\n\n");
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }
}

function statusData(status: TurnStatus): Record<string, unknown> {
  return { messageId: status.messageId, ...status.progress, ...(status.code ? { code: status.code } : {}) };
}

function send(res: Response, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}
