/**
 * The answer's text in Slack while the agent is still writing it: Slack's native stream (`chat.startStream` /
 * `appendStream` / `stopStream`) where the workspace allows it, a posted and edited message (`chat.postMessage` /
 * `chat.update`) otherwise. The core decides when to write and falls back from one to the other; this file only
 * speaks Slack. Live writes go through the quick client (no retries, rate limits refused): the final write,
 * which must land, goes through the retrying one.
 */
import type { WebClient } from "@slack/web-api";
import type { Logger } from "../../../core/logger";
import type { LiveAnswer, LiveChannel } from "../../../core/ports";
import type { JsonObject } from "../../../core/types";
import { fallbackText, splitMarkdown, toSlackMarkdown } from "./mrkdwn";
import { markdownBlock, type SlackBlock } from "./blocks";
import type { AnswerTarget } from "./normalize";
import { isTransient, slackErrorCode } from "./slack-errors";

/** Slack ends a stream after about five minutes with this error; the message is then finished by editing it. */
const STREAM_OVER = "message_not_in_streaming_state";

export interface LiveDeps {
  quick: WebClient;
  api: WebClient;
  logger: Logger;
  /** Workspaces that refused `chat.startStream`: they get post-and-edit (shared by every turn). */
  noStreaming: Set<string>;
  /** A stream is finished by editing instead once it is this old. */
  streamMaxAgeMs: number;
}

/** The live text as Slack shows it: safe Markdown, the first piece that fits. */
function render(markdown: string, maxChars: number): string {
  return splitMarkdown(toSlackMarkdown(markdown), maxChars)[0] ?? "";
}

function tsOf(handle: JsonObject): string {
  return String(handle.ts);
}

/** Slack's native stream for one turn's answer. */
export function streamChannel(deps: LiveDeps, target: AnswerTarget): LiveChannel {
  return {
    render,
    async open(text) {
      if (!target.recipientUser || deps.noStreaming.has(target.team)) return undefined;
      try {
        const started = await deps.quick.chat.startStream({
          channel: target.channel,
          thread_ts: target.threadTs,
          recipient_team_id: target.recipientTeam,
          recipient_user_id: target.recipientUser,
          markdown_text: text,
        });
        if (!started.ts) throw new Error("Slack started a stream without a ts");
        return { ts: started.ts };
      } catch (error) {
        if (isTransient(error)) throw error; // tried again at the next write
        deps.noStreaming.add(target.team);
        deps.logger.info(
          { code: slackErrorCode(error) },
          "native streaming unavailable here; answers are posted and edited instead",
        );
        return undefined;
      }
    },
    async update(handle, _text, added) {
      try {
        await deps.quick.chat.appendStream({
          channel: target.channel,
          ts: tsOf(handle),
          markdown_text: added,
        });
        return true;
      } catch (error) {
        if (slackErrorCode(error) === STREAM_OVER) return false;
        throw error;
      }
    },
    async close(handle) {
      await stopStream(deps, target, handle, "", []);
    },
  };
}

/** A posted message that is edited as the answer grows. */
export function draftChannel(deps: LiveDeps, target: AnswerTarget): LiveChannel {
  return {
    render,
    async open(text) {
      const posted = await deps.quick.chat.postMessage({
        channel: target.channel,
        thread_ts: target.threadTs,
        markdown_text: text,
      });
      if (!posted.ts) throw new Error("Slack posted a message without a ts");
      return { ts: posted.ts };
    },
    async update(handle, text) {
      await deps.quick.chat.update({ channel: target.channel, ts: tsOf(handle), markdown_text: text });
      return true;
    },
  };
}

/**
 * Finishes the live message with the final answer (already rendered for Slack and split) and `blocks` under
 * its last piece. A young stream whose text the answer extends is stopped with the rest; anything else is
 * stopped as it stands and rewritten with `chat.update`. Pieces beyond the first follow as new messages.
 */
export async function finishLive(
  deps: LiveDeps,
  target: AnswerTarget,
  live: LiveAnswer,
  pieces: string[],
  blocks: SlackBlock[],
): Promise<void> {
  const [first = "", ...rest] = pieces;
  const lastBlocks = rest.length === 0 ? blocks : [];
  let finished = false;
  if (live.channel === "stream") {
    const young = Date.now() - live.openedAt < deps.streamMaxAgeMs;
    const extends_ = live.shown !== undefined && first.startsWith(live.shown);
    // A stop that fails for another reason is logged; the edit below still writes the answer.
    const stop = (text: string, with_: SlackBlock[]) =>
      stopStream(deps, target, live.handle, text, with_).catch((error: unknown) => {
        deps.logger.warn(
          { code: slackErrorCode(error) ?? String(error) },
          "could not stop the answer stream",
        );
        return false;
      });
    finished =
      young && extends_
        ? await stop(first.slice(live.shown!.length), lastBlocks)
        : (await stop("", []), false);
  }
  if (!finished) {
    await deps.api.chat.update({
      channel: target.channel,
      ts: tsOf(live.handle),
      text: fallbackText(first),
      blocks: [markdownBlock(first), ...lastBlocks],
    });
  }
  for (const [index, piece] of rest.entries()) {
    await deps.api.chat.postMessage({
      channel: target.channel,
      thread_ts: target.threadTs,
      text: fallbackText(piece),
      blocks: [markdownBlock(piece), ...(index === rest.length - 1 ? blocks : [])],
    });
  }
}

/** Ends a live stream as it stands (the turn failed); a draft needs nothing. */
export async function abandonLive(
  deps: LiveDeps,
  target: AnswerTarget,
  live: LiveAnswer | undefined,
): Promise<void> {
  if (live?.channel !== "stream") return;
  await stopStream(deps, target, live.handle, "", []).catch((error: unknown) => {
    deps.logger.warn({ code: slackErrorCode(error) ?? String(error) }, "could not stop the answer stream");
  });
}

/**
 * Stops the stream; true when `text` and `blocks` were delivered with the stop. A stream Slack already ended is
 * not an error (false: the caller edits the message instead).
 */
async function stopStream(
  deps: LiveDeps,
  target: AnswerTarget,
  handle: JsonObject,
  text: string,
  blocks: SlackBlock[],
): Promise<boolean> {
  try {
    await deps.api.chat.stopStream({
      channel: target.channel,
      ts: tsOf(handle),
      ...(text ? { markdown_text: text } : {}),
      ...(blocks.length ? { blocks } : {}),
    });
    return true;
  } catch (error) {
    if (slackErrorCode(error) === STREAM_OVER) return false;
    throw error;
  }
}
