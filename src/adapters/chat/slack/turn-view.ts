/**
 * One turn in a Slack thread: the status line under the thread (`assistant.threads.setStatus`), the answer text
 * while it is written (native stream, or a posted and edited message), then the reply. The core paces and
 * orders every call; this object only knows how Slack shows each thing.
 */
import type { WebClient } from "@slack/web-api";
import type { Logger } from "../../../core/logger";
import type { LiveAnswer, Pacing, PostedReply, TurnStatus, TurnView } from "../../../core/ports";
import type { InboundMessage, Reply } from "../../../core/types";
import { draftChannel, type LiveDeps, streamChannel } from "./live-answer";
import { MARKDOWN_LIMIT } from "./mrkdwn";
import { answerTarget, type AnswerTarget } from "./normalize";
import type { SlackReplier } from "./reply";
import { statusLine } from "./status-text";
import type { SlackTimings } from "./timings";

/** While streaming, stay clear of the 12,000-character limit; the rest arrives when the answer is final. */
const LIVE_TEXT_LIMIT = MARKDOWN_LIMIT - 1000;

export interface SlackTurnDeps {
  quick: WebClient;
  api: WebClient;
  replier: SlackReplier;
  noStreaming: Set<string>;
  timings: SlackTimings;
  logger: Logger;
}

export class SlackTurnView implements TurnView {
  readonly pacing: Partial<Pacing>;
  readonly stream;
  readonly draft;
  private readonly target: AnswerTarget;
  private readonly live: LiveDeps;

  constructor(
    private readonly deps: SlackTurnDeps,
    private readonly message: InboundMessage,
  ) {
    this.target = answerTarget(message);
    const { timings } = deps;
    this.pacing = {
      firstStatusDelayMs: timings.statusDelayMs,
      liveAfterMs: timings.streamAfterMs,
      liveIntervalMs: timings.writeIntervalMs,
      streamMaxAgeMs: timings.streamMaxAgeMs,
      maxLiveChars: LIVE_TEXT_LIMIT,
    };
    this.live = {
      quick: deps.quick,
      api: deps.api,
      logger: deps.logger,
      noStreaming: deps.noStreaming,
      streamMaxAgeMs: timings.streamMaxAgeMs,
    };
    this.stream = streamChannel(this.live, this.target);
    this.draft = draftChannel(this.live, this.target);
  }

  async status(status: TurnStatus): Promise<void> {
    const line = statusLine(status);
    if (!line) return;
    await this.deps.quick.assistant.threads.setStatus({
      channel_id: this.target.channel,
      thread_ts: this.target.threadTs,
      status: line.status,
      ...(line.loading ? { loading_messages: line.loading } : {}),
    });
  }

  finish(reply: Reply, live: LiveAnswer | undefined): Promise<PostedReply> {
    return this.deps.replier.post(this.message, reply, live, this.live);
  }

  fail(reply: Reply, live: LiveAnswer | undefined): Promise<PostedReply> {
    return this.deps.replier.post(this.message, reply, live, this.live);
  }
}
