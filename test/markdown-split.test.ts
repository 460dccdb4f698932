/**
 * Long answers reach Slack and Teams in several messages. Each message fits the platform's limit, and each shows
 * what the whole would: no line of a table or of code is cut, a code block cut between messages is closed and
 * reopened with its language, and a table cut between messages repeats its header.
 */
import { splitMarkdown } from "../src/adapters/chat/markdown/split";
import {
  MARKDOWN_LIMIT,
  SECTION_LIMIT,
  splitMarkdown as splitSlack,
  toMrkdwn,
  toSlackMarkdown,
} from "../src/adapters/chat/slack/mrkdwn";
import { toTeamsMarkdown } from "../src/adapters/chat/teams/markdown";
import { answerActivities, TEXT_CHARS_PER_MESSAGE } from "../src/adapters/chat/teams/reply-activities";
import { emptyReply } from "../src/core/types";

const REGIONS = ["East", "West", "North", "South", "Central"];

/** About 35,000 characters: prose, a 600-row table, a 400-line code block, and some entities. */
function longAnswer(): string {
  const rows = Array.from(
    { length: 600 },
    (_, i) =>
      `| 2024-${String((i % 12) + 1).padStart(2, "0")} | ${REGIONS[i % 5]} | ${(1000 + i * 7.25).toFixed(2)} |`,
  );
  const code = Array.from(
    { length: 500 },
    (_, i) => `total_${i} = df[df.region == "${REGIONS[i % 5]}"].revenue.sum()`,
  );
  return [
    "## Revenue by region",
    "Revenue grew in every region; East & West grew fastest (<b>not bold</b>, just text).",
    ["| month | region | revenue |", "| --- | --- | ---: |", ...rows].join("\n"),
    "The code that computed it:",
    ["```python", ...code, "```"].join("\n"),
    "In short: **East** leads, and the <at>team</at> should look at North.",
  ].join("\n\n");
}

/**
 * Checks that `pieces` are `whole` cut between lines, with only fences and table headers added: every line of the
 * whole appears once, unbroken and in order, each piece fits and closes every code block it opens, and each
 * piece that continues a code block or a table starts by reopening it.
 */
function expectIntact(whole: string, pieces: string[], limit: number) {
  const lines = whole.split("\n").filter((l) => l.trim() !== "");
  let next = 0;
  let open: string | undefined; // the fence line of the code block the previous piece was inside
  let header: string[] = []; // a table's header, when the previous piece was inside one
  const continued = { code: 0, table: 0 };
  for (const piece of pieces) {
    expect(piece.length).toBeLessThanOrEqual(limit);
    const own = piece.split("\n").filter((l) => l.trim() !== "");
    if (open !== undefined) {
      expect(own[0]).toBe(open);
      continued.code++;
    }
    if (header.length > 0) {
      expect(own.slice(open === undefined ? 0 : 1, header.length + (open === undefined ? 0 : 1))).toEqual(
        header,
      );
      continued.table++;
    }
    let inside: string | undefined;
    const skip = (open === undefined ? 0 : 1) + header.length;
    for (const [i, line] of own.entries()) {
      const fence = /^\s*(`{3,}|~{3,})/.test(line);
      if (fence) inside = inside === undefined ? line : undefined;
      if (i < skip) continue;
      if (line === lines[next]) {
        next++;
      } else {
        // Only a fence that closes a block before the cut may be new.
        expect(fence).toBe(true);
        expect(i).toBe(own.length - 1);
      }
    }
    expect(inside).toBeUndefined();
    // Where the piece ended inside a block of the whole, the next piece must reopen it.
    const last = own.at(-1)!;
    const closedEarly = /^\s*(`{3,}|~{3,})\s*$/.test(last) && lines[next - 1] !== last;
    open = closedEarly ? findOpening(lines, next) : undefined;
    header = tableHeaderAt(lines, next, open !== undefined);
  }
  expect(next).toBe(lines.length);
  return continued;
}

/** The fence line that opened the code block line `at` is in. */
function findOpening(lines: string[], at: number): string {
  let opening = "";
  for (let i = 0; i < at; i++) if (/^\s*(`{3,}|~{3,})/.test(lines[i]!)) opening = opening ? "" : lines[i]!;
  return opening;
}

/** The header of the table line `at` continues (a GFM table, or an aligned one inside a code block), if any. */
function tableHeaderAt(lines: string[], at: number, inCode: boolean): string[] {
  if (at >= lines.length) return [];
  if (!inCode && /^\|/.test(lines[at]!)) {
    let start = at;
    while (start > 0 && /^\|/.test(lines[start - 1]!)) start--;
    return start === at ? [] : lines.slice(start, start + 2);
  }
  if (inCode) {
    let start = at;
    while (start > 0 && !/^\s*```/.test(lines[start - 1]!)) start--;
    const [head, underline] = [lines[start], lines[start + 1]];
    return head && underline && /^-+(?: {2}-+)*$/.test(underline) && start + 1 < at ? [head, underline] : [];
  }
  return [];
}

test("a 35,000-character answer with a table and a long code block arrives in Teams in messages that each fit, with every table and code block intact", () => {
  const answer = longAnswer();
  expect(answer.length).toBeGreaterThan(35_000);
  const messages = answerActivities({
    reply: { ...emptyReply(), text: answer },
    images: [],
    extraNotices: [],
  });
  const texts = messages.map((m) => m.text as string);
  expect(texts.length).toBeGreaterThan(1);
  const whole = texts.join("\n\n");
  expect(whole).toContain("East &amp; West");
  expect(whole).toContain("&lt;at&gt;team&lt;/at&gt;");
  // The pieces are the answer as one message would show it, cut between lines.
  const continued = expectIntact(toTeamsMarkdown(answer), texts, TEXT_CHARS_PER_MESSAGE);
  expect(continued.code + continued.table).toBeGreaterThan(0);
});

test("the same answer arrives in Slack in Markdown messages and in mrkdwn sections that each fit, intact", () => {
  const markdown = toSlackMarkdown(longAnswer());
  const messages = splitSlack(markdown, MARKDOWN_LIMIT);
  expect(messages.length).toBeGreaterThanOrEqual(3);
  const inMessages = expectIntact(markdown, messages, MARKDOWN_LIMIT);
  // The table (shown as aligned code) and the Python were both cut, and both reopened with their header.
  expect(inMessages.code).toBeGreaterThanOrEqual(2);
  expect(inMessages.table).toBeGreaterThanOrEqual(1);

  const mrkdwn = toMrkdwn(longAnswer());
  const sections = splitSlack(mrkdwn, SECTION_LIMIT);
  expect(sections.length).toBeGreaterThanOrEqual(10);
  const inSections = expectIntact(mrkdwn, sections, SECTION_LIMIT);
  expect(inSections.code).toBeGreaterThanOrEqual(8);
  expect(inSections.table).toBeGreaterThanOrEqual(3);
});

test("a Markdown table cut between messages repeats its header row and delimiter in the next one", () => {
  const table = [
    "| region | revenue |",
    "| --- | ---: |",
    ...Array.from({ length: 60 }, (_, i) => `| r${i} | ${i * 10} |`),
  ];
  const text = ["Revenue by region:", table.join("\n"), "That is all."].join("\n\n");
  const pieces = splitMarkdown(text, 300);
  expect(pieces.length).toBeGreaterThan(3);
  for (const piece of pieces.slice(1)) {
    if (piece.startsWith("|")) expect(piece.split("\n").slice(0, 2)).toEqual(table.slice(0, 2));
  }
  expect(pieces.at(-1)).toMatch(/That is all\.$/);
  expect(expectIntact(text, pieces, 300).table).toBe(pieces.length - 1);
});

test("a line longer than a message is the only thing cut inside itself, and never inside an entity or an emoji", () => {
  const line = "&lt;tag&gt; 📈 ".repeat(80).trim();
  const text = `Before\n\n\`\`\`\n${line}\nshort line\n\`\`\`\n\nAfter ${"&amp;".repeat(40)}`;
  const pieces = splitMarkdown(text, 100);
  for (const piece of pieces) {
    expect(piece.length).toBeLessThanOrEqual(100);
    expect(piece).not.toMatch(/&[a-z#0-9]*$|^[a-z#0-9]*;/m);
    expect(piece).not.toMatch(/[\uD800-\uDBFF]$|^[\uDC00-\uDFFF]/m);
    expect((piece.match(/^```/gm) ?? []).length % 2).toBe(0);
  }
  expect(pieces.join("").replace(/```|\s/g, "")).toBe(text.replace(/```|\s/g, ""));
  expect(pieces).toContainEqual(expect.stringMatching(/\nshort line\n```/));
});

test("text that fits is one piece, exactly as given", () => {
  expect(splitMarkdown("short", 120)).toEqual(["short"]);
  expect(splitMarkdown("  indented\n\n", 120)).toEqual(["  indented\n\n"]);
});
