/**
 * The Block Kit pieces of databot's Slack messages: the answer, refused-file notices, errors and the
 * "Show code" button.
 */
import type { types } from "@slack/bolt";
import type { Notice, ReplyError } from "../../../core/types";
import { escapeMrkdwn, SECTION_LIMIT, splitMarkdown } from "./mrkdwn";

export type SlackBlock = types.KnownBlock;

/** The `action_id` of the "Show code" button; its `value` is the key of the stored code. */
export const SHOW_CODE_ACTION = "databot_show_code";

/** Markdown as one `markdown` block (the caller keeps a message's total under 12,000 characters). */
export function markdownBlock(markdown: string): SlackBlock {
  return { type: "markdown", text: markdown };
}

/** mrkdwn text as `section` blocks of at most 3,000 characters each. */
export function sectionBlocks(mrkdwn: string): SlackBlock[] {
  if (mrkdwn.trim() === "") return [];
  return splitMarkdown(mrkdwn, SECTION_LIMIT).map((text) => ({
    type: "section",
    text: { type: "mrkdwn", text },
  }));
}

/** One line per notice (a refused file, a restarted session), as mrkdwn. */
export function noticeLines(notices: Notice[]): string {
  return notices.map((n) => `:warning: ${escapeMrkdwn(n.message)}`).join("\n");
}

/** Notices as Markdown, for messages that carry `markdown` blocks. */
export function noticeMarkdown(notices: Notice[]): string {
  return notices.map((n) => `⚠️ ${n.message}`).join("\n\n");
}

/** The error sentence, with its reason, as a message of its own. */
export function errorMarkdown(error: ReplyError): string {
  return `⚠️ ${error.message}`;
}

/** The "Show code" button under an answer. */
export function showCodeBlock(codeKey: string): SlackBlock {
  return {
    type: "actions",
    block_id: "databot_answer_actions",
    elements: [
      {
        type: "button",
        action_id: SHOW_CODE_ACTION,
        text: { type: "plain_text", text: "Show code", emoji: false },
        value: codeKey,
      },
    ],
  };
}
