/**
 * Shows that databot is working. In personal chats it uses Teams streaming: informative updates ("Reading
 * sales.csv…"), then the answer text as it is written, at most one update a second; the reply then finishes
 * the stream. In channels and group chats, or when Teams refuses a stream, it sends typing indicators.
 *
 * Updates never block the turn: they are queued here and sent in the background.
 */
import type { Activity, ConversationReference } from "botbuilder";
import { escapeTeamsText, toTeamsMarkdown } from "./markdown";
import type { Logger } from "../../core/logger";
import type { InboundMessage, Progress } from "../../core/types";
import type { TeamsContext } from "./normalize";
import { statusOf, type TeamsSender } from "./sender";

/** Quiet period before the first indicator: an answer within a second needs none, and fewer calls keep Teams from throttling. */
const FIRST_UPDATE_DELAY_MS = 1000;
/** Teams allows about one streaming update per second. */
const STREAM_INTERVAL_MS = 1000;
/** A typing indicator lasts a few seconds; renew it while the turn runs. */
const TYPING_INTERVAL_MS = 3000;
/** Teams ends streams after two minutes; stop streaming a little before. */
const STREAM_MAX_MS = 110_000;
/** Stop indicating when no progress arrived for this long (the turn moved elsewhere or died). */
const IDLE_LIMIT_MS = 5 * 60_000;
const INFORMATIVE_MAX_CHARS = 1000;

/** What a finished stream leaves for the final message. */
export interface StreamState {
  streamId: string;
  /** True when answer text (not only informative updates) was streamed. */
  textStreamed: boolean;
  /** True when the stream ran past Teams' time limit and can no longer be finished. */
  expired: boolean;
}

interface Session {
  reference: Partial<ConversationReference>;
  streaming: boolean;
  pending?: { kind: "informative" | "text"; text: string };
  streamId?: string;
  streamStartedAt?: number;
  sequence: number;
  sentText: string;
  textStreamed: boolean;
  lastSentAt: number;
  lastUpdateAt: number;
  timer?: NodeJS.Timeout;
  typingTimer?: NodeJS.Timeout;
  inflight: Promise<void>;
  closed: boolean;
}

export class ProgressIndicator {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly sender: TeamsSender,
    private readonly logger: Logger,
    private readonly streamingEnabled: boolean,
  ) {}

  /** Records progress for a message; the indicator is sent in the background. */
  update(message: InboundMessage, progress: Progress): void {
    if (progress.stage === "posting") return;
    const session = this.session(message);
    if (session.closed) return;
    session.lastUpdateAt = Date.now();
    if (!session.streaming) {
      this.ensureTyping(session);
      return;
    }
    if (progress.stage === "answering") {
      const text = toTeamsMarkdown(progress.text);
      if (!text.startsWith(session.sentText)) return; // Teams requires each update to extend the last
      session.pending = { kind: "text", text };
    } else if (!session.textStreamed && session.pending?.kind !== "text") {
      session.pending = { kind: "informative", text: informativeText(progress) };
    }
    this.schedule(session);
  }

  /** Stops indicating for a message and returns the live stream, if any, for the final message to finish. */
  async finish(message: InboundMessage): Promise<StreamState | undefined> {
    const session = this.sessions.get(message.id);
    if (!session) return undefined;
    this.sessions.delete(message.id);
    session.closed = true;
    clearTimeout(session.timer);
    clearInterval(session.typingTimer);
    await session.inflight;
    if (!session.streaming || !session.streamId) return undefined;
    const expired = Date.now() - (session.streamStartedAt ?? 0) > STREAM_MAX_MS;
    return { streamId: session.streamId, textStreamed: session.textStreamed, expired };
  }

  /** Stops every indicator (shutdown). */
  stopAll(): void {
    for (const session of this.sessions.values()) {
      session.closed = true;
      clearTimeout(session.timer);
      clearInterval(session.typingTimer);
    }
    this.sessions.clear();
  }

  private session(message: InboundMessage): Session {
    let session = this.sessions.get(message.id);
    if (!session) {
      const context = message.context as unknown as TeamsContext;
      session = {
        reference: context.reference,
        streaming: this.streamingEnabled && context.scope === "personal",
        sequence: 0,
        sentText: "",
        textStreamed: false,
        lastSentAt: Date.now() - STREAM_INTERVAL_MS + FIRST_UPDATE_DELAY_MS,
        lastUpdateAt: Date.now(),
        inflight: Promise.resolve(),
        closed: false,
      };
      this.sessions.set(message.id, session);
    }
    return session;
  }

  private schedule(session: Session): void {
    if (session.timer) return;
    const wait = Math.max(0, session.lastSentAt + STREAM_INTERVAL_MS - Date.now());
    session.timer = setTimeout(() => {
      session.timer = undefined;
      session.inflight = session.inflight.then(() => this.flush(session));
    }, wait);
    session.timer.unref();
  }

  private async flush(session: Session): Promise<void> {
    const update = session.pending;
    session.pending = undefined;
    if (!update || session.closed || !session.streaming) return;
    if (session.streamStartedAt && Date.now() - session.streamStartedAt > STREAM_MAX_MS) {
      this.fallBackToTyping(session, "stream time limit");
      return;
    }
    session.sequence += 1;
    const activity: Partial<Activity> = {
      type: "typing",
      text: update.kind === "informative" ? update.text.slice(0, INFORMATIVE_MAX_CHARS) : update.text,
      ...streamFields({
        streamType: update.kind === "informative" ? "informative" : "streaming",
        streamSequence: session.sequence,
        streamId: session.streamId,
      }),
    };
    session.lastSentAt = Date.now();
    try {
      const [id] = await this.sender.send(session.reference, [activity]);
      if (!session.streamId) {
        session.streamId = id;
        session.streamStartedAt = Date.now();
      }
      if (update.kind === "text") {
        session.sentText = update.text;
        session.textStreamed = true;
      }
    } catch (error) {
      this.fallBackToTyping(session, `streaming refused (HTTP ${statusOf(error) ?? "?"})`);
    }
    if (session.pending && !session.closed) this.schedule(session);
  }

  private fallBackToTyping(session: Session, reason: string): void {
    this.logger.info({ reason }, "Teams streaming unavailable; showing typing instead");
    session.streaming = false;
    session.pending = undefined;
    if (!session.closed) this.ensureTyping(session);
  }

  private ensureTyping(session: Session): void {
    if (session.typingTimer) return;
    const tick = () => {
      if (session.closed) return;
      if (Date.now() - session.lastUpdateAt > IDLE_LIMIT_MS) {
        clearInterval(session.typingTimer);
        return;
      }
      session.inflight = session.inflight.then(() =>
        this.sender.send(session.reference, [{ type: "typing" }]).then(
          () => undefined,
          (error: unknown) => this.logger.debug({ status: statusOf(error) }, "typing indicator failed"),
        ),
      );
    };
    session.typingTimer = setInterval(tick, TYPING_INTERVAL_MS);
    session.typingTimer.unref();
    const first = setTimeout(tick, FIRST_UPDATE_DELAY_MS);
    first.unref();
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

/** The blue-bar text for a stage of the turn. */
export function informativeText(progress: Progress): string {
  switch (progress.stage) {
    case "queued":
      return progress.position === 1
        ? "Waiting for the earlier question in this chat to finish…"
        : `Waiting for ${progress.position} earlier questions in this chat to finish…`;
    case "receiving_files":
      return `Reading ${escapeTeamsText(progress.files.join(", "))}…`;
    case "thinking":
      return "Analyzing…";
    case "running_code":
      return "Running Python code…";
    case "answering":
      return "Writing the answer…";
    case "posting":
      return "Posting the answer…";
  }
}
