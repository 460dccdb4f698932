/**
 * Socket Mode (development): Slack pushes events over a WebSocket opened with the app-level token. Bolt's own
 * Socket Mode receiver acknowledges an event before the listener runs; this one acknowledges after it, i.e.
 * after the durable insert into the inbox, so an event whose insert failed is delivered again by Slack. If the
 * listener takes longer than Slack waits, the acknowledgement goes out anyway (the inbox dedupes a retry).
 */
import type { App, Receiver } from "@slack/bolt";
import { SocketModeClient } from "@slack/socket-mode";
import type { Logger } from "../../../core/logger";
import { slackLogger } from "./slack-logger";

/** Slack expects the ack within 3 seconds. */
const ACK_DEADLINE_MS = 2500;

interface SocketEvent {
  ack: (response?: unknown) => Promise<void>;
  body: Record<string, unknown>;
  retry_num?: number;
  retry_reason?: string;
}

export interface SocketReceiverOptions {
  appToken: string;
  /** The Web API base URL, for `apps.connections.open`. */
  apiUrl: string;
  logger: Logger;
}

export class DurableSocketModeReceiver implements Receiver {
  readonly client: SocketModeClient;
  private app?: App;

  constructor(private readonly options: SocketReceiverOptions) {
    this.client = new SocketModeClient({
      appToken: options.appToken,
      logger: slackLogger(options.logger),
      clientOptions: { slackApiUrl: options.apiUrl },
    });
    this.client.on("slack_event", (event: SocketEvent) => {
      void this.dispatch(event);
    });
  }

  init(app: App): void {
    this.app = app;
  }

  start(): Promise<unknown> {
    return this.client.start();
  }

  stop(): Promise<unknown> {
    return this.client.disconnect();
  }

  private async dispatch(event: SocketEvent): Promise<void> {
    let response: unknown;
    let acked = false;
    const sendAck = async () => {
      if (acked) return;
      acked = true;
      await event.ack(response);
    };
    const deadline = setTimeout(() => {
      sendAck().catch((error: unknown) => this.ackFailed(error));
    }, ACK_DEADLINE_MS);
    try {
      await this.app?.processEvent({
        body: event.body,
        ack: async (body?: unknown) => {
          response = body;
        },
        retryNum: event.retry_num,
        retryReason: event.retry_reason,
      });
    } catch (error) {
      // Not acknowledged: Slack delivers the envelope again.
      clearTimeout(deadline);
      this.options.logger.warn(
        { err: error instanceof Error ? error.message : String(error) },
        "Socket Mode event not processed; Slack will deliver it again",
      );
      return;
    }
    clearTimeout(deadline);
    await sendAck().catch((error: unknown) => this.ackFailed(error));
  }

  private ackFailed(error: unknown): void {
    this.options.logger.warn(
      { err: error instanceof Error ? error.message : String(error) },
      "Socket Mode ack failed",
    );
  }
}
