/**
 * The answer's text while the agent is still writing it. A quick answer is not streamed at all: it arrives as
 * one finished message with its charts. An answer still being written after a moment is streamed natively
 * (`chat.startStream` / `appendStream` / `stopStream`) where the workspace allows it, otherwise posted and
 * edited (`chat.postMessage` / `chat.update`). Writes are throttled. Slack ends a stream after about five
 * minutes (`message_not_in_streaming_state`): the message then continues, and finishes, with `chat.update`.
 */
import type { WebClient } from "@slack/web-api";
import type { Logger } from "../../core/logger";
import type { InboundMessage } from "../../core/types";
import { markdownBlock, type SlackBlock } from "./blocks";
import type { AnswerMessage, SlackMemory } from "./memory";
import { fallbackText, MARKDOWN_LIMIT, splitMarkdown, toSlackMarkdown } from "./mrkdwn";
import type { AnswerTarget } from "./normalize";
import { isTransient, slackErrorCode } from "./slack-errors";
import type { SlackTimings } from "./timings";

/** While streaming, stay clear of the 12,000-character limit; the rest arrives when the answer is final. */
const LIVE_TEXT_LIMIT = MARKDOWN_LIMIT - 1000;
const STREAM_OVER = "message_not_in_streaming_state";
const FORGET_AFTER_MS = 30 * 60_000;

interface Live {
  messageId: string;
  target: AnswerTarget;
  mode: "waiting" | "stream" | "update";
  ts?: string;
  /** The text the Slack message shows (rendered for Slack). */
  shown: string;
  /** The answer so far, as the agent wrote it. */
  latest: string;
  /** The `latest` that `shown` was rendered from. */
  renderedFrom: string;
  firstTextAt: number;
  lastWriteAt: number;
  streamStartedAt: number;
  timer?: NodeJS.Timeout;
  work: Promise<void>;
  done: boolean;
}

export interface LiveAnswerDeps {
  /** For writes while the answer is live: no retries, rate limits rejected rather than waited out. */
  quick: WebClient;
  /** For the final write, which must land. */
  api: WebClient;
  memory: SlackMemory;
  logger: Logger;
  timings: SlackTimings;
}

export class LiveAnswers {
  private readonly live = new Map<string, Live>();
  /** Workspaces that refused `chat.startStream`: they get post-and-edit. */
  private readonly noStreaming = new Set<string>();

  constructor(private readonly deps: LiveAnswerDeps) {}

  /** The answer so far (whole text, not a delta). Returns at once; writes happen in the background. */
  onText(message: InboundMessage, target: AnswerTarget, text: string): void {
    let live = this.live.get(message.id);
    if (!live) {
      this.forgetStale();
      const now = Date.now();
      live = {
        messageId: message.id,
        target,
        mode: "waiting",
        shown: "",
        latest: "",
        renderedFrom: "",
        firstTextAt: now,
        lastWriteAt: 0,
        streamStartedAt: 0,
        work: Promise.resolve(),
        done: false,
      };
      this.live.set(message.id, live);
    }
    if (live.done) return;
    live.latest = text;
    this.schedule(live);
  }

  /**
   * Finishes the live message with the final answer and `blocks` under it. Returns false when nothing was
   * shown live (the caller then posts the answer as a normal message).
   */
  async finish(
    message: InboundMessage,
    target: AnswerTarget,
    text: string,
    blocks: SlackBlock[],
  ): Promise<boolean> {
    const live = await this.settle(message);
    const state = live?.ts ? live : await this.restored(message, target);
    if (!state?.ts) return false;
    const [first = "", ...rest] = splitMarkdown(toSlackMarkdown(text));
    const lastBlocks = rest.length === 0 ? blocks : [];
    let finished = false;
    if (
      state.mode === "stream" &&
      first.startsWith(state.shown) &&
      Date.now() - state.streamStartedAt < this.deps.timings.streamMaxAgeMs
    ) {
      finished = await this.stopStream(state, first.slice(state.shown.length), lastBlocks, false);
    } else if (state.mode === "stream") {
      await this.stopStream(state, "", [], false);
    }
    if (!finished) {
      await this.deps.api.chat.update({
        channel: target.channel,
        ts: state.ts,
        text: fallbackText(first),
        blocks: [markdownBlock(first), ...lastBlocks],
      });
    }
    for (const [index, piece] of rest.entries()) {
      await this.deps.api.chat.postMessage({
        channel: target.channel,
        thread_ts: target.threadTs,
        text: fallbackText(piece),
        blocks: [markdownBlock(piece), ...(index === rest.length - 1 ? blocks : [])],
      });
    }
    return true;
  }

  /** Ends a live message as it stands (the turn failed); the error is posted separately. */
  async abandon(message: InboundMessage): Promise<void> {
    const live = await this.settle(message);
    if (live?.ts && live.mode === "stream") await this.stopStream(live, "", [], false);
  }

  /** Turns that never finished here (another worker took them over) are forgotten after a while. */
  private forgetStale(): void {
    if (this.live.size < 1000) return;
    const cutoff = Date.now() - FORGET_AFTER_MS;
    for (const [id, live] of this.live) {
      if (Math.max(live.firstTextAt, live.lastWriteAt) < cutoff) {
        clearTimeout(live.timer);
        this.live.delete(id);
      }
    }
  }

  /** Stops pending writes for the message, waits for the one in flight, and forgets it. */
  private async settle(message: InboundMessage): Promise<Live | undefined> {
    const live = this.live.get(message.id);
    if (!live) return undefined;
    live.done = true;
    clearTimeout(live.timer);
    await live.work;
    this.live.delete(message.id);
    return live;
  }

  /**
   * A turn resumed after a restart finishes the message its earlier attempt started. The stream's age is
   * unknown, so it is stopped as it stands and the answer is written with `chat.update`.
   */
  private async restored(message: InboundMessage, target: AnswerTarget): Promise<Live | undefined> {
    const stored = await this.deps.memory.answerMessage(message.id).catch(() => undefined);
    if (!stored) return undefined;
    const live: Live = {
      messageId: message.id,
      target,
      mode: stored.mode,
      ts: stored.ts,
      shown: "",
      latest: "",
      renderedFrom: "",
      firstTextAt: 0,
      lastWriteAt: 0,
      streamStartedAt: 0,
      work: Promise.resolve(),
      done: true,
    };
    if (live.mode === "stream") await this.stopStream(live, "", [], false);
    return live;
  }

  private schedule(live: Live): void {
    if (live.timer || live.done) return;
    const due =
      live.mode === "waiting"
        ? live.firstTextAt + this.deps.timings.streamAfterMs
        : live.lastWriteAt + this.deps.timings.writeIntervalMs;
    live.timer = setTimeout(
      () => {
        live.timer = undefined;
        live.work = live.work
          .then(() => this.write(live))
          .catch((error: unknown) => {
            this.deps.logger.debug(
              { code: slackErrorCode(error) ?? String(error) },
              "live answer write failed",
            );
          });
      },
      Math.max(0, due - Date.now()),
    );
    live.timer.unref();
  }

  private async write(live: Live): Promise<void> {
    if (live.done) return;
    const source = live.latest;
    // Rendered at write time (writes are throttled), so a burst of updates is rendered once.
    const [text = ""] = splitMarkdown(toSlackMarkdown(source), LIVE_TEXT_LIMIT);
    if (text !== live.shown && text.trim() !== "") {
      if (live.mode === "waiting") await this.open(live, text);
      else if (live.mode === "stream") await this.append(live, text);
      else await this.edit(live, text);
      live.lastWriteAt = Date.now();
    }
    live.renderedFrom = source;
    if (live.latest !== live.renderedFrom) this.schedule(live);
  }

  private async open(live: Live, text: string): Promise<void> {
    const { target } = live;
    if (target.recipientUser && !this.noStreaming.has(target.team)) {
      try {
        const started = await this.deps.quick.chat.startStream({
          channel: target.channel,
          thread_ts: target.threadTs,
          recipient_team_id: target.recipientTeam,
          recipient_user_id: target.recipientUser,
          markdown_text: text,
        });
        if (!started.ts) throw new Error("Slack started a stream without a ts");
        await this.opened(live, started.ts, "stream", text);
        live.streamStartedAt = Date.now();
        return;
      } catch (error) {
        if (isTransient(error)) throw error; // try again at the next write
        this.noStreaming.add(target.team);
        this.deps.logger.info(
          { code: slackErrorCode(error) },
          "native streaming unavailable here; answers are posted and edited instead",
        );
      }
    }
    const posted = await this.deps.quick.chat.postMessage({
      channel: target.channel,
      thread_ts: target.threadTs,
      markdown_text: text,
    });
    if (!posted.ts) throw new Error("Slack posted a message without a ts");
    await this.opened(live, posted.ts, "update", text);
  }

  private async opened(live: Live, ts: string, mode: AnswerMessage["mode"], text: string): Promise<void> {
    live.ts = ts;
    live.mode = mode;
    live.shown = text;
    await this.deps.memory.keepAnswerMessage(live.messageId, { channel: live.target.channel, ts, mode });
  }

  private async append(live: Live, text: string): Promise<void> {
    const tooOld = Date.now() - live.streamStartedAt >= this.deps.timings.streamMaxAgeMs;
    if (tooOld || !text.startsWith(live.shown)) {
      await this.stopStream(live, "", []);
      return this.edit(live, text);
    }
    try {
      await this.deps.quick.chat.appendStream({
        channel: live.target.channel,
        ts: live.ts!,
        markdown_text: text.slice(live.shown.length),
      });
      live.shown = text;
    } catch (error) {
      if (slackErrorCode(error) !== STREAM_OVER) throw error;
      await this.toEdits(live);
      await this.edit(live, text);
    }
  }

  private async edit(live: Live, text: string): Promise<void> {
    await this.deps.quick.chat.update({ channel: live.target.channel, ts: live.ts!, markdown_text: text });
    live.shown = text;
  }

  /**
   * Ends the native stream; true when `text` and `blocks` were delivered with the stop. A stream Slack already
   * ended is not an error; other failures throw when `strict`, otherwise they are logged and reported as false.
   */
  private async stopStream(live: Live, text: string, blocks: SlackBlock[], strict = true): Promise<boolean> {
    try {
      await this.deps.api.chat.stopStream({
        channel: live.target.channel,
        ts: live.ts!,
        ...(text ? { markdown_text: text } : {}),
        ...(blocks.length ? { blocks } : {}),
      });
      await this.toEdits(live);
      return true;
    } catch (error) {
      const code = slackErrorCode(error);
      if (code !== STREAM_OVER && strict) throw error;
      if (code !== STREAM_OVER)
        this.deps.logger.warn({ code: code ?? String(error) }, "could not stop the answer stream");
      await this.toEdits(live);
      return false;
    }
  }

  private async toEdits(live: Live): Promise<void> {
    live.mode = "update";
    await this.deps.memory
      .keepAnswerMessage(live.messageId, { channel: live.target.channel, ts: live.ts!, mode: "update" })
      .catch(() => undefined);
  }
}
