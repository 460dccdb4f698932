/**
 * A databot reply → the Teams message activities that show it: notices first, then the answer in Teams
 * Markdown, the charts as inline images and a "Show code" card. Long answers are split so every message stays
 * well under Teams' ~100 KB limit (inline base64 images are not counted toward it).
 */
import type { Activity, Attachment } from "botbuilder";
import type { Reply } from "../../../core/types";
import { splitMarkdown } from "../markdown/split";
import { showCodeCard } from "./cards";
import type { InlineImage } from "./images";
import { escapeTeamsText, toTeamsMarkdown } from "./markdown";

/** Characters of text per message: even at 3 bytes a character this stays far below 100 KB. */
export const TEXT_CHARS_PER_MESSAGE = 20_000;
/** Inline images per message, so one request never carries more than a few MB. */
const IMAGES_PER_MESSAGE = 4;

export interface AnswerParts {
  reply: Reply;
  images: InlineImage[];
  /** Notices the adapter adds (files Teams could not hand over). */
  extraNotices: string[];
  /** Store key of the turn's code, when there is code to show. */
  showCodeKey?: string;
}

/** The messages of an answer, in order. The first one can finish a Teams stream. */
export function answerActivities(parts: AnswerParts): Partial<Activity>[] {
  const { reply } = parts;
  const sections: string[] = [];
  const notices = [...parts.extraNotices, ...reply.notices.map((n) => n.message)];
  if (notices.length > 0) sections.push(notices.map((n) => `⚠️ ${escapeTeamsText(n)}`).join("\n\n"));
  if (reply.error) sections.push(`**I couldn't answer this.** ${escapeTeamsText(reply.error.message)}`);
  const answer = toTeamsMarkdown(reply.text);
  if (answer) sections.push(answer);
  const attachments: Attachment[] = parts.images.map((image) => ({
    contentType: image.contentType,
    contentUrl: `data:${image.contentType};base64,${image.data.toString("base64")}`,
    name: image.name,
  }));
  if (parts.showCodeKey && reply.code.length > 0)
    attachments.push(showCodeCard(parts.showCodeKey, reply.code.length));
  if (sections.length === 0 && attachments.length === 0) sections.push("I have nothing to add to that.");

  const texts = splitMarkdown(sections.join("\n\n"), TEXT_CHARS_PER_MESSAGE);
  const messages: Partial<Activity>[] = texts.map((text) => ({
    type: "message",
    text,
    textFormat: "markdown",
  }));
  // Images and the card go with the last piece of text, so they follow the words that describe them.
  const last = messages.at(-1)!;
  const first = attachments.slice(0, IMAGES_PER_MESSAGE);
  if (first.length > 0) last.attachments = first;
  for (let i = IMAGES_PER_MESSAGE; i < attachments.length; i += IMAGES_PER_MESSAGE) {
    messages.push({ type: "message", attachments: attachments.slice(i, i + IMAGES_PER_MESSAGE) });
  }
  for (const message of messages) {
    const alt = (message.attachments ?? []).map((a) => parts.images.find((i) => i.name === a.name)?.alt);
    const described = alt.filter(Boolean).join("; ");
    // A screen reader and the notification preview read `summary` when the text alone says little.
    if (described) message.summary = described.slice(0, 200);
  }
  return messages;
}
