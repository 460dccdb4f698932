/**
 * The Slack chat surface the core answers through: a turn view per answer (status line, live text, the reply)
 * and file downloads, each in its own file.
 */
import type { Readable } from "node:stream";
import type { ChatSurface, QueueReason, TurnView } from "../../../core/ports";
import type { AttachmentMeta, InboundMessage } from "../../../core/types";
import type { SlackDownloader } from "./download";
import { answerTarget } from "./normalize";
import { sessionWaitText, waitingText } from "./status-text";
import { SlackTurnView, type SlackTurnDeps } from "./turn-view";

export class SlackSurface implements ChatSurface {
  readonly platform = "slack" as const;

  constructor(
    private readonly turns: SlackTurnDeps,
    private readonly downloader: SlackDownloader,
  ) {}

  openTurn(message: InboundMessage): TurnView {
    return new SlackTurnView(this.turns, message);
  }

  async announceQueued(message: InboundMessage, position: number, reason?: QueueReason): Promise<void> {
    const target = answerTarget(message);
    await this.turns.quick.assistant.threads.setStatus({
      channel_id: target.channel,
      thread_ts: target.threadTs,
      status: reason === "sessions" ? sessionWaitText(position) : waitingText(position),
    });
  }

  openAttachment(_message: InboundMessage, attachment: AttachmentMeta): Promise<Readable> {
    return this.downloader.open(attachment);
  }
}
