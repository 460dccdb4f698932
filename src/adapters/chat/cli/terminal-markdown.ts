/**
 * The agent's Markdown as a terminal shows it: bold and italics as text styles instead of `**` and `_`, tables
 * as aligned columns (numbers right-aligned), code indented, links with their address. The answer came from a
 * model and from data, so control characters are dropped: nothing in it can move the cursor, retitle the
 * window or change the terminal's colours.
 */
import { renderMarkdown, type Dialect } from "../markdown/render";

const ESC = "\x1b[";
const style = (on: string, off: string) => (inner: string) => `${ESC}${on}m${inner}${ESC}${off}m`;
const bold = style("1", "22");
const italic = style("3", "23");
const strike = style("9", "29");
const underline = style("4", "24");
const cyan = style("36", "39");
const dim = style("2", "22");

/** C0 and C1 control characters except tab and newline: escape sequences start with them. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const clean = (text: string) => text.replace(CONTROL, "");

const NUMBER = /^[-+−]?[$€£]?\d[\d,.\u00a0 ]*%?$/;

/** Columns padded to their widest cell; columns that hold only numbers are right-aligned. */
function alignTable(rows: string[][]): string {
  const cells = rows.map((row) => row.map(clean));
  const columns = Math.max(...cells.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, c) =>
    Math.max(...cells.map((r) => (r[c] ?? "").length)),
  );
  const numeric = widths.map((_, c) => {
    const body = cells.slice(1).map((r) => (r[c] ?? "").trim());
    return body.length > 0 && body.every((v) => v === "" || NUMBER.test(v));
  });
  const line = (row: string[]) =>
    widths
      .map((w, c) => (numeric[c] ? (row[c] ?? "").padStart(w) : (row[c] ?? "").padEnd(w)))
      .join("  ")
      .trimEnd();
  const [header = [], ...body] = cells;
  return [bold(line(header)), dim(widths.map((w) => "─".repeat(w)).join("  ")), ...body.map(line)].join("\n");
}

const TERMINAL: Dialect = {
  text: clean,
  code: clean,
  literal: (char) => clean(char),
  strong: bold,
  em: italic,
  del: strike,
  codespan: cyan,
  codeBlock: (code) =>
    code
      .replace(/\n$/, "")
      .split("\n")
      .map((line) => `    ${cyan(line)}`)
      .join("\n"),
  link: (href, label) => (label === clean(href) ? underline(label) : `${label} (${underline(clean(href))})`),
  heading: (inner, depth) => (depth <= 2 ? bold(underline(inner)) : bold(inner)),
  blockquote: (inner) =>
    inner
      .split("\n")
      .map((line) => `${dim("│")} ${line}`)
      .join("\n"),
  bullet: (index) => (index === undefined ? "• " : `${index}. `),
  table: alignTable,
  hr: () => dim("─".repeat(40)),
  br: () => "\n",
};

/** The answer's Markdown for a terminal. */
export function renderForTerminal(markdown: string): string {
  return renderMarkdown(markdown, TERMINAL);
}
