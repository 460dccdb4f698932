/**
 * CommonMark (what the agent writes) → the Markdown subset Teams renders in text messages. Teams shows bold,
 * italic, lists, links, code and quotes, but no headings, tables or rules in plain messages: headings become
 * bold lines, tables become aligned preformatted blocks, and rules disappear.
 */

/** Converts the agent's Markdown for a Teams text message (`textFormat: "markdown"`). */
export function toTeamsMarkdown(markdown: string): string {
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  const out: string[] = [];
  let inFence = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*(```|~~~)/.test(line)) {
      inFence = !inFence;
      out.push(line);
      continue;
    }
    if (inFence) {
      out.push(line);
      continue;
    }
    if (isTableRow(line) && i + 1 < lines.length && isDelimiterRow(lines[i + 1]!)) {
      const rows = [splitRow(line)];
      i += 1; // the delimiter row
      while (i + 1 < lines.length && isTableRow(lines[i + 1]!)) rows.push(splitRow(lines[++i]!));
      out.push("```", ...alignTable(rows), "```");
      continue;
    }
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      out.push(heading[1] ? `**${heading[1]}**` : "");
      continue;
    }
    if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) {
      out.push("");
      continue;
    }
    out.push(line);
  }
  return out
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

function isTableRow(line: string): boolean {
  return /^\s*\|.*\|\s*$/.test(line);
}

function isDelimiterRow(line: string): boolean {
  return /^\s*\|?(\s*:?-{2,}:?\s*\|)+\s*(:?-{2,}:?\s*)?\|?\s*$/.test(line);
}

function splitRow(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split(/(?<!\\)\|/)
    .map((cell) =>
      cell
        .trim()
        .replace(/\\\|/g, "|")
        .replace(/\*\*(.*?)\*\*/g, "$1"),
    );
}

function alignTable(rows: string[][]): string[] {
  const columns = Math.max(...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  const format = (row: string[]) =>
    widths
      .map((w, c) => (row[c] ?? "").padEnd(w))
      .join("  ")
      .trimEnd();
  return [format(rows[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(format)];
}
