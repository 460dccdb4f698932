/**
 * How Teams shows a turn at work. In personal chats: Teams streaming — informative updates ("Reading
 * sales.csv…"), then the answer text as it is written, which the reply finishes. In channels and group chats,
 * or where Teams refuses a stream: a typing indicator, renewed while the turn runs. One object per turn: the
 * core paces the calls (Teams takes about one streaming update a second) and ends it with the reply.
 */
import type { Activity, ConversationReference } from "botbuilder";
import type { Logger } from "../../../core/logger";
import type { LiveChannel, Pacing, QueueReason, TurnStatus } from "../../../core/ports";
import { escapeTeamsText, toTeamsMarkdown } from "./markdown";
import { statusOf, type TeamsSender } from "./sender";

/** Quiet period before the first indicator: an answer within a second needs none, and fewer calls keep Teams from throttling. */
const FIRST_UPDATE_DELAY_MS = 1000;
/** Teams allows about one streaming update per second. */
const STREAM_INTERVAL_MS = 1000;
/** A typing indicator lasts a few seconds; renew it while the turn runs. */
const TYPING_INTERVAL_MS = 3000;
/** Teams ends streams after two minutes; stop streaming a little before. */
const STREAM_MAX_MS = 110_000;
const INFORMATIVE_MAX_CHARS = 1000;

/** What a finished stream leaves for the final message. */
export interface StreamState {
  streamId: string;
  /** True when answer text (not only informative updates) was streamed. */
  textStreamed: boolean;
  /** True when the stream ran past Teams' time limit and can no longer be finished. */
  expired: boolean;
}

/** One turn's indicator: a Teams stream in personal chats, typing elsewhere. */
export class TeamsIndicator {
  readonly pacing: Partial<Pacing>;
  /** Present where Teams streams (personal chats with streaming on). */
  readonly stream?: LiveChannel;
  private streaming: boolean;
  private streamId?: string;
  private startedAt?: number;
  private sequence = 0;
  private textStreamed = false;
  private typing?: NodeJS.Timeout;
  private ended = false;

  constructor(
    private readonly sender: TeamsSender,
    private readonly reference: Partial<ConversationReference>,
    streams: boolean,
    private readonly logger: Logger,
  ) {
    this.streaming = streams;
    this.pacing = {
      firstStatusDelayMs: FIRST_UPDATE_DELAY_MS,
      liveAfterMs: FIRST_UPDATE_DELAY_MS,
      anyIntervalMs: streams ? STREAM_INTERVAL_MS : 0,
      streamMaxAgeMs: STREAM_MAX_MS,
    };
    if (streams) this.stream = this.textChannel();
  }

  /** Informative stream updates until the text streams; typing where there is no stream. */
  async status(status: TurnStatus): Promise<void> {
    if (status.stage === "posting" || this.ended) return;
    if (!this.streaming) return this.startTyping();
    if (this.textStreamed) return; // the answer itself shows progress now
    await this.send("informative", informativeText(status).slice(0, INFORMATIVE_MAX_CHARS));
  }

  /** Stops indicating; returns the stream, if any, for the final message to finish. */
  end(): StreamState | undefined {
    this.ended = true;
    clearInterval(this.typing);
    if (!this.streamId) return undefined;
    const expired = Date.now() - (this.startedAt ?? 0) > STREAM_MAX_MS;
    return { streamId: this.streamId, textStreamed: this.textStreamed, expired };
  }

  private textChannel(): LiveChannel {
    return {
      render: (markdown) => toTeamsMarkdown(markdown),
      open: async (text) => ((await this.send("streaming", text)) ? { streamId: this.streamId! } : undefined),
      // Teams requires each update to extend the last; the core only calls here when it does.
      update: async (_handle, text) => this.send("streaming", text),
      // Past Teams' time limit: no more updates; typing shows the turn is still at work.
      close: async () => this.fallBackToTyping("stream time limit"),
    };
  }

  /** Sends a streaming update; false when Teams refused it (the turn falls back to typing). */
  private async send(kind: "informative" | "streaming", text: string): Promise<boolean> {
    if (!this.streaming || this.ended) return false;
    this.sequence += 1;
    const activity: Partial<Activity> = {
      type: "typing",
      text,
      ...streamFields({ streamType: kind, streamSequence: this.sequence, streamId: this.streamId }),
    };
    try {
      const [id] = await this.sender.send(this.reference, [activity]);
      if (!this.streamId) {
        this.streamId = id;
        this.startedAt = Date.now();
      }
      if (kind === "streaming") this.textStreamed = true;
      return true;
    } catch (error) {
      this.fallBackToTyping(`streaming refused (HTTP ${statusOf(error) ?? "?"})`);
      return false;
    }
  }

  private fallBackToTyping(reason: string): void {
    this.logger.info({ reason }, "Teams streaming unavailable; showing typing instead");
    this.streaming = false;
    if (!this.ended) this.startTyping();
  }

  private startTyping(): void {
    if (this.typing || this.ended) return;
    const tick = () => {
      if (this.ended) return;
      this.sender.send(this.reference, [{ type: "typing" }]).catch((error: unknown) => {
        this.logger.debug({ status: statusOf(error) }, "typing indicator failed");
      });
    };
    tick();
    this.typing = setInterval(tick, TYPING_INTERVAL_MS);
    this.typing.unref();
  }
}

/** Where a waiting question stands: behind earlier ones in its chat, or in line for an analysis session. */
export function queuedText(position: number, reason?: QueueReason): string {
  if (reason === "sessions") {
    return position <= 1
      ? "Waiting for a free analysis session; this question is next…"
      : `Waiting for a free analysis session; this question is number ${position} in line…`;
  }
  return position <= 1
    ? "Waiting for the earlier question in this chat to finish…"
    : `Waiting for ${position} earlier questions in this chat to finish…`;
}

function informativeText(progress: TurnStatus): string {
  switch (progress.stage) {
    case "queued":
      return queuedText(progress.position);
    case "receiving_files":
      return `Reading ${escapeTeamsText(progress.files.join(", "))}…`;
    case "thinking":
      return "Analyzing…";
    case "running_code":
      return "Running Python code…";
    case "posting":
      return "Posting the answer…";
  }
}

/**
 * Stream metadata for an activity: a `streaminfo` entity (what Teams documents) and the same fields in
 * `channelData` (what earlier Teams libraries sent; Teams accepts either).
 */
export function streamFields(info: {
  streamType: "informative" | "streaming" | "final";
  streamSequence?: number;
  streamId?: string;
}): Pick<Activity, "channelData" | "entities"> {
  const fields = Object.fromEntries(Object.entries(info).filter(([, v]) => v !== undefined));
  return { channelData: fields, entities: [{ type: "streaminfo", ...fields }] };
}
