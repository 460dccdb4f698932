/**
 * Text for Slack: the answer is Markdown. Messages carry it in `markdown` blocks (Slack renders standard
 * Markdown there, 12,000 characters per message); a file-share message cannot hold a `markdown` block, so
 * there the answer is converted to Slack's own mrkdwn dialect for `section` blocks.
 */
import slackifyMarkdown from "slackify-markdown";

/** Slack's limit for Markdown in one message (`markdown_text` or all `markdown` blocks together). */
export const MARKDOWN_LIMIT = 12_000;
/** Slack's limit for the text of one `section` block. */
export const SECTION_LIMIT = 3000;

const FENCE = /^\s*(```|~~~)(.*)$/;

/**
 * Splits Markdown into pieces of at most `limit` characters, preferring paragraph breaks, then line breaks.
 * A piece that ends inside a fenced code block closes the fence, and the next piece reopens it.
 */
export function splitMarkdown(text: string, limit = MARKDOWN_LIMIT): string[] {
  if (text.length <= limit) return [text];
  const budget = limit - 16; // room to close and reopen a fence
  const pieces: string[] = [];
  let rest = text;
  let reopen = "";
  while (rest.length > 0) {
    const available = budget - reopen.length;
    if (reopen.length + rest.length <= limit) {
      pieces.push(reopen + rest);
      break;
    }
    const cut = cutPoint(rest, available);
    let piece = reopen + rest.slice(0, cut).trimEnd();
    rest = rest.slice(cut).replace(/^\n+/, "");
    const open = openFence(piece);
    reopen = "";
    if (open !== undefined) {
      piece += "\n```";
      reopen = "```" + open + "\n";
    }
    pieces.push(piece);
  }
  return pieces;
}

/** Characters and line starts that make text Markdown rather than plain prose. */
const MARKUP = /[*_`~#>[\]|\\<&]|https?:|^\s*([-+]|\d+[.)])\s|^\s*(={2,}|-{2,})\s*$/m;

/** Markdown (CommonMark with tables) as Slack mrkdwn. Plain prose is already mrkdwn and is kept as it is. */
export function toMrkdwn(markdown: string): string {
  if (!MARKUP.test(markdown)) return markdown.trimEnd();
  return slackifyMarkdown(markdown).trimEnd();
}

/** Escapes the three characters mrkdwn gives meaning to, for text that is not markup (file names). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A short plain line for notifications and screen readers (Slack's `text` next to blocks). */
export function fallbackText(markdown: string, max = 300): string {
  const plain = markdown
    .replace(/```[\s\S]*?```/g, " ")
    .replace(/[*_~`#>|]/g, "")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\s+/g, " ")
    .trim();
  return plain.length > max ? `${plain.slice(0, max - 1)}…` : plain;
}

function cutPoint(text: string, max: number): number {
  const window = text.slice(0, max);
  const paragraph = window.lastIndexOf("\n\n");
  if (paragraph > max / 2) return paragraph;
  const line = window.lastIndexOf("\n");
  if (line > max / 2) return line;
  const space = window.lastIndexOf(" ");
  return space > max / 2 ? space : max;
}

/** The info string of the fence left open at the end of `text`, if one is. */
function openFence(text: string): string | undefined {
  let open: string | undefined;
  for (const line of text.split("\n")) {
    const match = FENCE.exec(line);
    if (!match) continue;
    open = open === undefined ? (match[2] ?? "").trim() : undefined;
  }
  return open;
}
