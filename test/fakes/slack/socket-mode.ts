/**
 * Slack's Socket Mode side: `apps.connections.open` hands out a `wss://` URL (here `ws://127.0.0.1`); the app
 * connects, Slack says `hello`, then pushes envelopes (`events_api`, `interactive`) that the app must
 * acknowledge with `{envelope_id}`. An envelope not acknowledged in time is sent again with `retry_attempt`.
 */
import { randomUUID } from "node:crypto";
import type http from "node:http";
import { WebSocketServer, type WebSocket } from "ws";
import { DATABOT } from "./state";

export interface SocketEnvelope {
  envelope_id: string;
  type: "events_api" | "interactive";
  payload: Record<string, unknown>;
  accepts_response_payload: boolean;
  retry_attempt?: number;
  retry_reason?: string;
}

export class FakeSocketMode {
  private readonly wss = new WebSocketServer({ noServer: true });
  private socket?: WebSocket;
  private readonly acks = new Map<string, (acked: boolean) => void>();
  /** Every envelope acknowledged, by id. */
  readonly acknowledged = new Set<string>();
  private connectedWaiters: (() => void)[] = [];

  constructor(
    server: http.Server,
    private readonly origin: string,
  ) {
    server.on("upgrade", (req, socket, head) => {
      if (!(req.url ?? "").startsWith("/link")) return socket.destroy();
      this.wss.handleUpgrade(req, socket, head, (ws) => this.connected(ws));
    });
  }

  /** The URL `apps.connections.open` returns. */
  url(): string {
    return `${this.origin.replace(/^http/, "ws")}/link/?ticket=${randomUUID()}&app_id=${DATABOT.appId}`;
  }

  get isConnected(): boolean {
    return this.socket !== undefined;
  }

  waitForConnection(): Promise<void> {
    if (this.socket) return Promise.resolve();
    return new Promise((resolve) => this.connectedWaiters.push(resolve));
  }

  /** Pushes an envelope; resolves true once the app acknowledges it, false after `timeoutMs`. */
  push(
    type: SocketEnvelope["type"],
    payload: Record<string, unknown>,
    retry?: number,
    timeoutMs = 5000,
  ): Promise<boolean> {
    const socket = this.socket;
    if (!socket) throw new Error("No Socket Mode connection");
    const envelope: SocketEnvelope = {
      envelope_id: randomUUID(),
      type,
      payload,
      accepts_response_payload: false,
      ...(retry ? { retry_attempt: retry, retry_reason: "timeout" } : {}),
    };
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.acks.delete(envelope.envelope_id);
        resolve(false);
      }, timeoutMs);
      this.acks.set(envelope.envelope_id, (acked) => {
        clearTimeout(timer);
        resolve(acked);
      });
      socket.send(JSON.stringify(envelope));
    });
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private connected(ws: WebSocket): void {
    this.socket = ws;
    ws.on("message", (data) => {
      const message = JSON.parse(String(data)) as { envelope_id?: string };
      if (!message.envelope_id) return;
      this.acknowledged.add(message.envelope_id);
      this.acks.get(message.envelope_id)?.(true);
      this.acks.delete(message.envelope_id);
    });
    ws.on("close", () => {
      if (this.socket !== ws) return;
      this.socket = undefined;
      // Envelopes still waiting will never be acknowledged on this connection.
      for (const settle of this.acks.values()) settle(false);
      this.acks.clear();
    });
    ws.send(
      JSON.stringify({
        type: "hello",
        num_connections: 1,
        debug_info: { host: "applink-fake", approximate_connection_time: 18060 },
        connection_info: { app_id: DATABOT.appId },
      }),
    );
    for (const resolve of this.connectedWaiters.splice(0)) resolve();
  }
}
