/**
 * CommonMark (what the agent writes) → the Markdown subset Teams renders in text messages. Teams shows bold,
 * italic, lists, links, code and quotes, but no headings, tables or rules in plain messages: headings become
 * bold lines, tables become aligned preformatted blocks, and rules disappear.
 *
 * Teams also reads HTML in Markdown messages (`<at>…</at>` is a mention), so text the agent wrote is escaped
 * (`&`, `<`, `>` as entities) and only http(s) links stay links.
 */
import {
  alignRows,
  markdownCodeBlock,
  markdownCodespan,
  renderMarkdown,
  type Dialect,
} from "../markdown/render";

/** Escapes what Teams would read as HTML, in text databot did not write itself (file names, data). */
export function escapeTeamsText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const TEAMS: Dialect = {
  text: escapeTeamsText,
  code: (text) => text,
  literal: (char) => (/[&<>]/.test(char) ? escapeTeamsText(char) : `\\${char}`),
  strong: (inner) => `**${inner}**`,
  em: (inner) => `*${inner}*`,
  del: (inner) => `~~${inner}~~`,
  codespan: markdownCodespan,
  codeBlock: markdownCodeBlock,
  link: (href, label) => `[${label}](${href.replace(/[\s()<>]/g, (c) => encodeURIComponent(c))})`,
  heading: (inner) => `**${inner}**`,
  blockquote: (inner) =>
    inner
      .split("\n")
      .map((line) => `> ${line}`)
      .join("\n"),
  bullet: (index) => (index === undefined ? "- " : `${index}. `),
  table: (rows) => ["```", ...alignRows(rows), "```"].join("\n"),
  hr: () => "",
  br: () => "\n",
};

/** Converts the agent's Markdown for a Teams text message (`textFormat: "markdown"`). */
export function toTeamsMarkdown(markdown: string): string {
  return renderMarkdown(markdown, TEAMS);
}

/** Escapes a name for bold or link text in databot's own Teams sentences. */
export function teamsMarkdownName(text: string): string {
  return escapeTeamsText(text).replace(/([\\`*_[\]])/g, "\\$1");
}
