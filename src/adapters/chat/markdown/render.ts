/**
 * The agent's answer is CommonMark written by a model, from data anyone could have typed. Each chat platform
 * renders it in its own dialect, and each gives some characters powers (Slack's `<!channel>`, Teams' `<at>`).
 * This walks marked's tokens once and asks a {@link Dialect} for each piece, with the safety rules in one place:
 * every piece of text goes through the dialect's escaping, raw HTML is shown as text, and only http(s) links
 * stay links.
 */
import type { Token, Tokens } from "marked" with { "resolution-mode": "import" };
import { marked } from "./marked";

/** How one platform writes each piece. Text reaching a dialect's methods is already escaped for it. */
export interface Dialect {
  /** Escapes plain text (text the platform must not read as markup or commands). */
  text(text: string): string;
  /** Escapes text inside code (a code span or block). */
  code(text: string): string;
  /** A character the author escaped (`\*`), so it stays a plain character. */
  literal(char: string): string;
  strong(inner: string): string;
  em(inner: string): string;
  del(inner: string): string;
  codespan(code: string): string;
  codeBlock(code: string, lang: string): string;
  /** `href` is an http(s) URL; `label` is rendered inline text. */
  link(href: string, label: string): string;
  heading(inner: string, depth: number): string;
  /** `inner` is the rendered content, lines joined with "\n". */
  blockquote(inner: string): string;
  /** A bullet or number, for an item at `depth` (0 for the outer list). */
  bullet(index: number | undefined, depth: number): string;
  /** Rows of plain cell text (header first), not yet escaped: a dialect aligns them, then escapes. */
  table(rows: string[][]): string;
  hr(): string;
  br(): string;
}

/** Renders Markdown in a dialect. */
export function renderMarkdown(markdown: string, dialect: Dialect): string {
  const tokens = marked.lexer(markdown.replace(/\r\n?/g, "\n"), { gfm: true });
  // Trailing spaces stay: an answer being streamed grows word by word from what is shown.
  return blocks(tokens, dialect, 0)
    .replace(/\n{3,}/g, "\n\n")
    .replace(/^\n+|\n+$/g, "");
}

/** True for the only link targets databot keeps: http and https URLs. */
function isWebLink(href: string): boolean {
  return /^https?:\/\//i.test(href.trim());
}

function blocks(tokens: Token[], d: Dialect, depth: number): string {
  const out: string[] = [];
  for (const token of tokens) {
    const rendered = block(token, d, depth);
    if (rendered !== undefined) out.push(rendered);
  }
  return out.join("\n\n");
}

function block(token: Token, d: Dialect, depth: number): string | undefined {
  switch (token.type) {
    case "space":
    case "def":
      return undefined;
    case "heading": {
      const heading = token as Tokens.Heading;
      return d.heading(inline(heading.tokens, d), heading.depth);
    }
    case "paragraph":
      return inline((token as Tokens.Paragraph).tokens, d);
    case "text": {
      const text = token as Tokens.Text;
      return text.tokens ? inline(text.tokens, d) : d.text(decode(text.text));
    }
    case "code": {
      const code = token as Tokens.Code;
      return d.codeBlock(d.code(code.text), (code.lang ?? "").split(/\s/)[0] ?? "");
    }
    case "blockquote":
      return d.blockquote(blocks((token as Tokens.Blockquote).tokens, d, depth));
    case "list":
      return list(token as Tokens.List, d, depth);
    case "table":
      return table(token as Tokens.Table, d);
    case "hr":
      return d.hr();
    case "html":
      return d.text((token as Tokens.HTML).text.trim());
    default:
      return "raw" in token && typeof token.raw === "string" ? d.text(token.raw) : undefined;
  }
}

function list(token: Tokens.List, d: Dialect, depth: number): string {
  const start = typeof token.start === "number" ? token.start : 1;
  const indent = "  ".repeat(depth);
  return token.items
    .map((item, i) => {
      const body = blocks(item.tokens, d, depth + 1).replace(/\n\n+/g, "\n");
      const [first, ...rest] = body.split("\n");
      const bullet = d.bullet(token.ordered ? start + i : undefined, depth);
      const nested = rest.map((line) => (/^\s/.test(line) ? line : `${indent}  ${line}`));
      return [`${indent}${bullet}${first ?? ""}`, ...nested].join("\n");
    })
    .join("\n");
}

function table(token: Tokens.Table, d: Dialect): string {
  const cell = (c: Tokens.TableCell) => plain(c.tokens);
  return d.table([token.header.map(cell), ...token.rows.map((row) => row.map(cell))]);
}

function inline(tokens: Token[] | undefined, d: Dialect): string {
  let out = "";
  for (const token of tokens ?? []) out += inlineToken(token, d);
  return out;
}

function inlineToken(token: Token, d: Dialect): string {
  switch (token.type) {
    case "text": {
      const text = token as Tokens.Text;
      return text.tokens ? inline(text.tokens, d) : d.text(decode(text.text));
    }
    case "escape":
      return d.literal((token as Tokens.Escape).text);
    case "strong":
      return d.strong(inline((token as Tokens.Strong).tokens, d));
    case "em":
      return d.em(inline((token as Tokens.Em).tokens, d));
    case "del":
      return d.del(inline((token as Tokens.Del).tokens, d));
    case "codespan":
      return d.codespan(d.code(decode((token as Tokens.Codespan).text)));
    case "br":
      return d.br();
    case "link": {
      const link = token as Tokens.Link;
      // A bare address stays text: the platform links it itself, and it then shows exactly what was written.
      if (link.text === link.href || link.raw === link.href) return d.text(decode(link.raw));
      const label = inline(link.tokens, d);
      return isWebLink(link.href) ? d.link(link.href.trim(), label) : label;
    }
    case "image": {
      const image = token as Tokens.Image;
      const alt = d.text(image.text || "image");
      return isWebLink(image.href) ? d.link(image.href.trim(), alt) : alt;
    }
    case "html":
      return d.text((token as Tokens.HTML).text);
    default:
      return "raw" in token && typeof token.raw === "string" ? d.text(token.raw) : "";
  }
}

/** The text of inline tokens without any formatting (table cells). */
function plain(tokens: Token[] | undefined): string {
  let out = "";
  for (const token of tokens ?? []) {
    const t = token as { tokens?: Token[]; text?: string };
    out += t.tokens ? plain(t.tokens) : decode(t.text ?? "");
  }
  return out;
}

/** marked keeps entities as written; decode the common ones so escaping does not double them. */
function decode(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

/** Pads rows into aligned columns, header underlined: a table as monospaced text. */
export function alignRows(rows: string[][]): string[] {
  const columns = Math.max(...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  const format = (row: string[]) =>
    widths
      .map((w, c) => (row[c] ?? "").padEnd(w))
      .join("  ")
      .trimEnd();
  return [format(rows[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(format)];
}

/** Code fence or span delimiters longer than any run of backticks inside. */
function fenceFor(code: string, min: number): string {
  const longest = Math.max(0, ...(code.match(/`+/g) ?? []).map((run) => run.length));
  return "`".repeat(Math.max(min, longest + 1));
}

/** A CommonMark code span around (already escaped) code, whatever backticks it holds. */
export function markdownCodespan(code: string): string {
  const fence = fenceFor(code, 1);
  return fence.length > 1 ? `${fence} ${code} ${fence}` : `${fence}${code}${fence}`;
}

/** A CommonMark fenced code block around (already escaped) code. */
export function markdownCodeBlock(code: string, lang: string): string {
  const fence = fenceFor(code, 3);
  return `${fence}${lang}\n${code}\n${fence}`;
}
