/**
 * The thread's status line ("reading sales.csv…", "running code…") through `assistant.threads.setStatus`.
 * Updates never hold up the turn: they queue per message, a newer status replaces one not yet sent, and an
 * unchanged status is not sent again. The first one waits a moment, so a question answered at once shows no
 * status at all. Once the answer is about to be posted the line is closed, so no late update can bring a
 * status back under a finished answer (Slack clears it when databot posts).
 */
import type { WebClient } from "@slack/web-api";
import type { Logger } from "../../core/logger";
import type { AnswerTarget } from "./normalize";
import { slackErrorCode } from "./slack-errors";

interface Wanted {
  status: string;
  loading?: string[];
}

interface Line {
  target: AnswerTarget;
  last?: string;
  pending?: Wanted;
  sending?: Promise<void>;
  /** The first status waits for this timer. */
  delay?: NodeJS.Timeout;
  closed: boolean;
  touched: number;
}

const FORGET_AFTER_MS = 30 * 60_000;

export class StatusLine {
  private readonly lines = new Map<string, Line>();

  constructor(
    private readonly api: WebClient,
    private readonly logger: Logger,
    /** How long the first status of a turn waits (nothing is shown if the answer comes first). */
    private readonly firstDelayMs: number,
  ) {}

  /** Shows `status` under the thread of `messageId` (best effort, returns at once). */
  set(messageId: string, target: AnswerTarget, status: string, loading?: string[]): void {
    let line = this.lines.get(messageId);
    if (!line) {
      this.forgetStale();
      line = { target, closed: false, touched: Date.now() };
      this.lines.set(messageId, line);
    }
    if (line.closed) return;
    line.touched = Date.now();
    if (line.pending === undefined && line.last === status) return;
    line.pending = { status, loading };
    if (line.sending || line.delay) return;
    if (line.last === undefined && this.firstDelayMs > 0) {
      line.delay = setTimeout(() => {
        line.delay = undefined;
        if (!line.sending) line.sending = this.drain(line);
      }, this.firstDelayMs);
      line.delay.unref();
    } else {
      line.sending = this.drain(line);
    }
  }

  /** Stops further updates for the message and waits for one in flight. */
  async close(messageId: string): Promise<void> {
    const line = this.lines.get(messageId);
    if (!line) return;
    line.closed = true;
    line.pending = undefined;
    clearTimeout(line.delay);
    await line.sending;
    this.lines.delete(messageId);
  }

  private async drain(line: Line): Promise<void> {
    while (line.pending && !line.closed) {
      const wanted = line.pending;
      line.pending = undefined;
      try {
        await this.api.assistant.threads.setStatus({
          channel_id: line.target.channel,
          thread_ts: line.target.threadTs,
          status: wanted.status,
          ...(wanted.loading ? { loading_messages: wanted.loading } : {}),
        });
        line.last = wanted.status;
      } catch (error) {
        this.logger.debug({ code: slackErrorCode(error) ?? String(error) }, "status update failed");
      }
    }
    line.sending = undefined;
  }

  private forgetStale(): void {
    if (this.lines.size < 1000) return;
    const cutoff = Date.now() - FORGET_AFTER_MS;
    for (const [id, line] of this.lines) {
      if (line.touched < cutoff && !line.sending) {
        clearTimeout(line.delay);
        this.lines.delete(id);
      }
    }
  }
}
