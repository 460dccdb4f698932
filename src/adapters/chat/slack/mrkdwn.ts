/**
 * Text for Slack: the answer is Markdown. Messages carry it in `markdown` blocks (Slack renders standard
 * Markdown there, 12,000 characters per message); a file-share message cannot hold a `markdown` block, so
 * there the answer is converted to Slack's own mrkdwn dialect for `section` blocks.
 *
 * Slack reads `<!channel>`, `<!here>`, `<@U…>`, `<#C…>`, `<!subteam^…>` and `<url|label>` as commands, in
 * both. The answer was written by a model from data anyone could have typed, so every piece of its text is
 * escaped (`&`, `<`, `>` as entities) and only http(s) links stay links: nothing in an answer can notify
 * anyone.
 */
import {
  alignRows,
  markdownCodeBlock,
  markdownCodespan,
  renderMarkdown,
  type Dialect,
} from "../markdown/render";
import { splitMarkdown as splitRendered } from "../markdown/split";

/** Slack's limit for Markdown in one message (`markdown_text` or all `markdown` blocks together). */
export const MARKDOWN_LIMIT = 12_000;
/** Slack's limit for the text of one `section` block. */
export const SECTION_LIMIT = 3000;

/**
 * Splits Slack text into pieces of at most `limit` characters, between blocks where it can; code blocks and
 * tables that must be split are closed and reopened, or repeat their header (see ../markdown/split).
 */
export function splitMarkdown(text: string, limit = MARKDOWN_LIMIT): string[] {
  return splitRendered(text, limit);
}

/** Escapes the three characters Slack gives meaning to, in any text databot did not write itself. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A URL as it may appear inside `<url|label>` or `[label](url)`. */
function linkTarget(href: string): string {
  return escapeMrkdwn(href.replace(/[|\s()]/g, (c) => encodeURIComponent(c)));
}

const common = {
  text: escapeMrkdwn,
  code: escapeMrkdwn,
  br: () => "\n",
  blockquote: (inner: string) =>
    inner
      .split("\n")
      .map((line) => `> ${line}`)
      .join("\n"),
} satisfies Partial<Dialect>;

/** Slack's mrkdwn, for `section` blocks. */
const MRKDWN: Dialect = {
  ...common,
  literal: escapeMrkdwn,
  strong: (inner) => `*${inner}*`,
  em: (inner) => `_${inner}_`,
  del: (inner) => `~${inner}~`,
  codespan: (code) => `\`${code}\``,
  codeBlock: (code) => `\`\`\`\n${code}\n\`\`\``,
  link: (href, label) => `<${linkTarget(href)}|${label.replace(/\|/g, "¦")}>`,
  heading: (inner) => `*${inner}*`,
  bullet: (index) => (index === undefined ? "• " : `${index}. `),
  table: (rows) => `\`\`\`\n${escapeMrkdwn(alignRows(rows).join("\n"))}\n\`\`\``,
  hr: () => "———",
};

/** Standard Markdown for `markdown` blocks and streamed text (which have no tables or rules). */
const SLACK_MARKDOWN: Dialect = {
  ...common,
  literal: (char) => (/[&<>]/.test(char) ? escapeMrkdwn(char) : `\\${char}`),
  strong: (inner) => `**${inner}**`,
  em: (inner) => `*${inner}*`,
  del: (inner) => `~~${inner}~~`,
  codespan: markdownCodespan,
  codeBlock: markdownCodeBlock,
  link: (href, label) => `[${label}](${linkTarget(href)})`,
  heading: (inner, depth) => `${"#".repeat(Math.min(depth, 6))} ${inner}`,
  bullet: (index) => (index === undefined ? "- " : `${index}. `),
  table: (rows) => `\`\`\`\n${escapeMrkdwn(alignRows(rows).join("\n"))}\n\`\`\``,
  hr: () => "",
};

/** The agent's Markdown as Slack mrkdwn, escaped: for `section` blocks. */
export function toMrkdwn(markdown: string): string {
  return renderMarkdown(markdown, MRKDWN);
}

/** The agent's Markdown as Markdown Slack renders safely: for `markdown` blocks and streamed text. */
export function toSlackMarkdown(markdown: string): string {
  return renderMarkdown(markdown, SLACK_MARKDOWN);
}

/**
 * A short plain line for notifications and screen readers (Slack's `text` next to blocks), from text already
 * made safe by {@link toSlackMarkdown} or {@link toMrkdwn}: markup is dropped, the escaping stays.
 */
export function fallbackText(safeMarkdown: string, max = 300): string {
  const plain = safeMarkdown
    .replace(/```[\s\S]*?```/g, " ")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/<(https?:[^|>]*)\|([^>]*)>/g, "$2")
    .replace(/[*_~`#|\\]/g, "")
    .replace(/\s+/g, " ")
    .trim();
  if (plain.length <= max) return plain;
  // Never cut an entity in half: `&lt` alone would show as text, or start something else.
  return `${plain.slice(0, max - 1).replace(/&[a-z]{0,4}$/, "")}…`;
}
