/**
 * Posts databot's answer into the thread.
 * - With charts or files: ONE file-share message holding every image and file, the answer as its text (as
 *   mrkdwn `section` blocks, since Slack refuses `markdown` blocks there) and the "Show code" button.
 * - Text only: `markdown` blocks, split into several messages beyond Slack's 12,000 characters.
 * - An answer already shown live (streamed) is finished in place; its files follow in one message.
 * - Refused files and errors: one short sentence each, with the reason.
 */
import type { WebClient } from "@slack/web-api";
import type { Logger } from "../../../core/logger";
import type { InboundMessage, Reply } from "../../../core/types";
import {
  errorMarkdown,
  markdownBlock,
  noticeLines,
  noticeMarkdown,
  sectionBlocks,
  showCodeBlock,
  type SlackBlock,
} from "./blocks";
import type { LiveAnswer, PostedReply } from "../../../core/ports";
import { abandonLive, finishLive, type LiveDeps } from "./live-answer";
import type { SlackMemory } from "./memory";
import { fallbackText, MARKDOWN_LIMIT, splitMarkdown, toMrkdwn, toSlackMarkdown } from "./mrkdwn";
import { answerTarget, type AnswerTarget } from "./normalize";
import { shareFilesInThread, type UploadItem } from "./upload";

/** The answer goes into the file-share message up to this much mrkdwn (a few section blocks). */
const FILE_MESSAGE_TEXT_LIMIT = 11_000;
const NO_ANSWER = "The analysis finished without an answer to show. Try asking in other words.";

export interface SlackReplierDeps {
  api: WebClient;
  memory: SlackMemory;
  logger: Logger;
}

export class SlackReplier {
  constructor(private readonly deps: SlackReplierDeps) {}

  /** Posts the reply; `live` is the answer text the thread already shows, finished in place. */
  async post(
    message: InboundMessage,
    reply: Reply,
    live: LiveAnswer | undefined,
    liveDeps: LiveDeps,
  ): Promise<PostedReply> {
    const target = answerTarget(message);
    // The timestamps of the messages posted, recorded by the turn (a live answer's message is its own).
    const ids: string[] = typeof live?.handle.ts === "string" ? [live.handle.ts] : [];
    const actions = await this.codeButton(target, reply);
    if (reply.error) {
      await abandonLive(liveDeps, target, live);
      const notices = reply.notices.length ? `${noticeMarkdown(reply.notices)}\n\n` : "";
      ids.push(...(await this.postMarkdown(target, notices + errorMarkdown(reply.error), actions)));
      return { ids };
    }
    const uploads = uploadsOf(reply);
    const text = reply.text.trim();
    const noticeBlock = reply.notices.length ? sectionBlocks(noticeLines(reply.notices)) : [];
    const streamed = text !== "" && live !== undefined;
    if (streamed) {
      const pieces = splitMarkdown(toSlackMarkdown(text), MARKDOWN_LIMIT);
      await finishLive(liveDeps, target, live, pieces, uploads.length ? [] : [...noticeBlock, ...actions]);
    } else if (live) {
      await abandonLive(liveDeps, target, live);
    }
    if (uploads.length === 0) {
      if (streamed) return { ids };
      const body = text || (reply.notices.length ? noticeMarkdown(reply.notices) : NO_ANSWER);
      ids.push(...(await this.postMarkdown(target, body, text ? [...noticeBlock, ...actions] : actions)));
      return { ids };
    }
    const mrkdwn = streamed ? "" : toMrkdwn(text);
    let answerBlocks: SlackBlock[] = sectionBlocks(mrkdwn);
    if (mrkdwn.length > FILE_MESSAGE_TEXT_LIMIT) {
      ids.push(...(await this.postMarkdown(target, text, [])));
      answerBlocks = [];
    }
    await shareFilesInThread(this.deps.api, {
      channel: target.channel,
      threadTs: target.threadTs,
      items: uploads,
      blocks: [...answerBlocks, ...noticeBlock, ...actions],
    });
    return { ids };
  }

  /**
   * Markdown (the agent's, or databot's own with names in it) as one or more messages of 12,000 characters,
   * rendered safe for Slack; `trailing` blocks go under the last one.
   */
  private async postMarkdown(
    target: AnswerTarget,
    markdown: string,
    trailing: SlackBlock[],
  ): Promise<string[]> {
    const pieces = splitMarkdown(toSlackMarkdown(markdown), MARKDOWN_LIMIT);
    const posted: string[] = [];
    for (const [index, piece] of pieces.entries()) {
      const last = index === pieces.length - 1;
      const result = await this.deps.api.chat.postMessage({
        channel: target.channel,
        thread_ts: target.threadTs,
        text: fallbackText(piece),
        blocks: [markdownBlock(piece), ...(last ? trailing : [])],
        unfurl_links: false,
      });
      if (result.ts) posted.push(result.ts);
    }
    return posted;
  }

  /** Keeps the code that ran (for the button's click, possibly days later) and returns the button. */
  private async codeButton(target: AnswerTarget, reply: Reply): Promise<SlackBlock[]> {
    const cells = reply.code.filter((c) => c.code.trim() !== "");
    if (cells.length === 0) return [];
    const key = await this.deps.memory.keepCode({
      channel: target.channel,
      threadTs: target.threadTs,
      cells: cells.map((c) => ({ code: c.code, ...(c.output ? { output: c.output } : {}) })),
    });
    return [showCodeBlock(key)];
  }
}

function uploadsOf(reply: Reply): UploadItem[] {
  return [
    ...reply.images.map((image) => ({ name: image.name, data: image.data, altText: image.alt })),
    ...reply.files.map((file) => ({ name: file.name, size: file.size, open: file.open })),
  ];
}
