/**
 * Reads an answer of the offline analyst the way a person checking it would, and compares what it states with
 * the expected numbers: the result table (or the single value, the correlation, the statistics) must match
 * value for value, rankings must hold the right groups in the right order, a shortened table must say so, and
 * charts must stay readable. An honest "I can't" is a decline, never a pass.
 */
import type { FigureInfo } from "../support/analyst-conversation";

export type Verdict = "correct" | "declined" | "wrong";

export interface Check {
  verdict: Verdict;
  /** Why the answer is wrong (empty otherwise). */
  reason: string;
}

type Num = number | null;

export type Expectation =
  | {
      kind: "table";
      rows: Record<string, Num>;
      agg: string;
      parts?: Record<string, [number, number]>;
      top?: number;
      order?: "desc" | "asc";
      lead?: "desc" | "asc";
      mentions?: string[];
    }
  | { kind: "frame"; rows: Record<string, Record<string, Num>>; mentions?: string[] }
  | { kind: "rows"; rows: [string, number][]; top: number; order: "desc" | "asc"; mentions?: string[] }
  | { kind: "value"; value: Num; mentions?: string[] }
  | { kind: "r"; value: number; points: number; mentions?: string[] }
  | { kind: "stats"; values: Record<string, number>; mentions?: string[] }
  | { kind: "overview"; rows: number; mentions?: string[] }
  | { kind: "code"; contains: string[]; mentions?: string[] }
  | { kind: "decline"; mentions?: string[] };

/** How the analyst opens a reply that does not answer: it says it cannot, or why the file cannot be read. */
const DECLINE = /^(?:\*\*)?(?:I can't|I cannot|I couldn't|I can only|That didn't work|That needs more)/;

function isDecline(text: string): boolean {
  return DECLINE.test(text.trim());
}

/** The Markdown tables of a text: rows of cells, header first. */
function markdownTables(text: string): string[][][] {
  const tables: string[][][] = [];
  let current: string[][] | undefined;
  for (const line of text.split("\n")) {
    if (!line.startsWith("|")) {
      current = undefined;
      continue;
    }
    if (/^\|( ?:?---+:? ?\|)+$/.test(line)) continue;
    if (!current) tables.push((current = []));
    current.push(
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim().replace(/\\\|/g, "|").replace(/\\\\/g, "\\")),
    );
  }
  return tables;
}

/** A shown number and how precisely it was shown; null for a dash. */
function readNumber(text: string): { value: number | null; precision: number } | undefined {
  const cleaned = text.replace(/\*/g, "").replace(/,/g, "").replace(/−/g, "-").trim();
  if (cleaned === "–" || cleaned === "-" || cleaned === "") return { value: null, precision: 0 };
  if (!/^-?\d+(?:\.\d+)?$/.test(cleaned)) return undefined;
  const decimals = /\.(\d+)$/.exec(cleaned)?.[1]?.length ?? 0;
  return { value: Number(cleaned), precision: 0.5 * 10 ** -decimals };
}

function close(shown: string, expected: Num): boolean {
  const read = readNumber(shown);
  if (!read) return false;
  if (read.value === null || expected === null) return read.value === expected;
  return Math.abs(read.value - expected) <= read.precision + 1e-9 * Math.max(1, Math.abs(expected));
}

function normalizeLabel(label: string): string {
  return label
    .replace(/\*/g, "")
    .trim()
    .toLowerCase()
    .replace(/\s+/g, " ")
    .replace(/^(-?\d+)\.0+$/, "$1");
}

function lookup<T>(record: Record<string, T>, label: string): T | undefined {
  const wanted = normalizeLabel(label);
  const key = Object.keys(record).find((k) => normalizeLabel(k) === wanted);
  return key === undefined ? undefined : record[key];
}

const TRUNCATED = /more rows|the (?:last|first) [\d,]+ of|of [\d,]+ (?:rows|groups)|not shown/i;

/** The result table of an answer: the first table whose first header is not "Column" (the overview's). */
function resultTable(text: string): string[][] | undefined {
  return markdownTables(text).find((t) => t.length >= 2 && t[0]?.[0] !== "Column");
}

function fail(reason: string): Check {
  return { verdict: "wrong", reason };
}

const OK: Check = { verdict: "correct", reason: "" };

/** The value of an "Other" row: the rest of the groups, when their sums and counts tell it. */
function otherValue(expected: Extract<Expectation, { kind: "table" }>, shown: string[]): Num | undefined {
  if (!expected.parts) return undefined;
  const shownKeys = new Set(shown.map(normalizeLabel));
  const rest = Object.entries(expected.parts).filter(([k]) => !shownKeys.has(normalizeLabel(k)));
  const sum = rest.reduce((a, [, [s]]) => a + s, 0);
  const count = rest.reduce((a, [, [, c]]) => a + c, 0);
  if (expected.agg === "sum" || expected.agg === "count") return sum;
  if (expected.agg === "mean") return count ? sum / count : null;
  return undefined;
}

function ranked(values: [string, number][], order: "desc" | "asc"): [string, number][] {
  return [...values].sort((a, b) => (order === "desc" ? b[1] - a[1] : a[1] - b[1]));
}

function checkTable(text: string, expected: Extract<Expectation, { kind: "table" }>): Check {
  const table = resultTable(text);
  if (!table) return fail("no result table");
  const rows = table.slice(1);
  const groups = rows.filter((r) => r[0] !== "Other");
  for (const row of rows) {
    const [label = "", shown = ""] = row;
    const want =
      label === "Other"
        ? otherValue(
            expected,
            groups.map((r) => r[0] ?? ""),
          )
        : lookup(expected.rows, label);
    // A period with no rows may be shown empty, or as a zero total or count: both are true.
    const empty = readNumber(shown)?.value;
    const zero = empty === 0 && (expected.agg === "sum" || expected.agg === "count");
    if (want === undefined && label !== "Other" && (empty === null || zero)) continue;
    if (want === undefined) return fail(`"${label}" is not a group of the expected answer`);
    if (!close(shown, want)) return fail(`${label}: shown ${shown}, expected ${want}`);
  }
  const all = Object.entries(expected.rows).filter((e): e is [string, number] => e[1] !== null);
  const order = expected.order ?? expected.lead;
  if (order) {
    const best = ranked(all, order);
    const values = groups.map((r) => readNumber(r[1] ?? "")?.value ?? NaN);
    for (let i = 1; i < values.length; i++) {
      const [a, b] = [values[i - 1] as number, values[i] as number];
      if (order === "desc" ? b > a : b < a) return fail("the ranking is out of order");
    }
    const k = groups.length;
    const worst = order === "desc" ? Math.min(...values) : Math.max(...values);
    // Every group better than the last one shown must be shown.
    const better = best.filter(([, v]) => (order === "desc" ? v > worst : v < worst));
    const shownKeys = new Set(groups.map((r) => normalizeLabel(r[0] ?? "")));
    if (better.some(([key]) => !shownKeys.has(normalizeLabel(key))))
      return fail("a higher-ranked group is missing");
    if (expected.top !== undefined) {
      const nth = best[expected.top - 1]?.[1];
      const withTies = best.filter(([, v]) =>
        order === "desc" ? v >= (nth as number) : v <= (nth as number),
      );
      if (k < Math.min(expected.top, best.length) || k > withTies.length)
        return fail(`${k} groups shown for a top ${expected.top}`);
    }
  } else if (groups.length < all.length && !rows.some((r) => r[0] === "Other") && !TRUNCATED.test(text)) {
    return fail(`${all.length - groups.length} groups missing without a word`);
  }
  return OK;
}

function checkFrame(text: string, expected: Extract<Expectation, { kind: "frame" }>): Check {
  const table = resultTable(text);
  if (!table) return fail("no result table");
  const [header = [], ...rows] = table;
  if (rows.length === 0) return fail("an empty table");
  for (const row of rows) {
    const want = lookup(expected.rows, row[0] ?? "");
    if (!want) return fail(`"${row[0]}" is not a row of the expected answer`);
    for (let c = 1; c < header.length; c++) {
      const column = header[c] ?? "";
      const value = lookup(want, column);
      if (value === undefined && Object.values(expected.rows).every((r) => lookup(r, column) === undefined))
        return fail(`"${column}" is not a column of the expected answer`);
      if (!close(row[c] ?? "", value ?? null))
        return fail(`${row[0]} / ${column}: shown ${row[c]}, expected ${value}`);
    }
  }
  const expectedColumns = new Set(
    Object.values(expected.rows).flatMap((r) => Object.keys(r).map(normalizeLabel)),
  );
  if (header.length - 1 < expectedColumns.size) return fail("series missing");
  if (rows.length < Object.keys(expected.rows).length && !TRUNCATED.test(text))
    return fail("rows missing without a word");
  return OK;
}

function checkRows(text: string, expected: Extract<Expectation, { kind: "rows" }>): Check {
  const table = resultTable(text);
  if (!table) return fail("no result table");
  const rows = table.slice(1);
  const best = ranked(expected.rows, expected.order);
  const nth = best[expected.top - 1]?.[1] as number;
  const withTies = best.filter(([, v]) => (expected.order === "desc" ? v >= nth : v <= nth));
  if (rows.length < expected.top || rows.length > withTies.length)
    return fail(`${rows.length} rows shown for a top ${expected.top}`);
  const pool = [...best];
  for (const [i, row] of rows.entries()) {
    if (!close(row[1] ?? "", best[i]?.[1] ?? null))
      return fail(`row ${i + 1}: shown ${row[1]}, expected ${best[i]?.[1]}`);
    const at = pool.findIndex(
      ([label, v]) => normalizeLabel(label) === normalizeLabel(row[0] ?? "") && close(row[1] ?? "", v),
    );
    if (at < 0) return fail(`"${row[0]}" with ${row[1]} is not a row of the data`);
    pool.splice(at, 1);
  }
  return OK;
}

function checkValue(text: string, expected: Extract<Expectation, { kind: "value" }>): Check {
  const match = /:\s*\*\*(-?[\d,]+(?:\.\d+)?|no value)\*\*/.exec(text);
  if (!match) return fail("no value stated");
  if (match[1] === "no value") return expected.value === null ? OK : fail("no value, expected a number");
  return close(match[1] as string, expected.value)
    ? OK
    : fail(`shown ${match[1]}, expected ${expected.value}`);
}

function checkR(text: string, expected: Extract<Expectation, { kind: "r" }>): Check {
  const match = /r = \*\*(-?\d+\.\d+)\*\*/.exec(text);
  if (!match) return fail("no correlation stated");
  if (!close(match[1] as string, expected.value))
    return fail(`r shown ${match[1]}, expected ${expected.value}`);
  const points = /([\d,]+) (?:points|rows)/.exec(text);
  if (points && !close(points[1] as string, expected.points))
    return fail(`${points[1]} points, expected ${expected.points}`);
  return OK;
}

function checkStats(text: string, expected: Extract<Expectation, { kind: "stats" }>): Check {
  const table = markdownTables(text).find((t) => t[0]?.[0] === "Statistic");
  if (!table) return fail("no statistics table");
  let matched = 0;
  for (const [name = "", shown = ""] of table.slice(1)) {
    const want = expected.values[name];
    if (want === undefined) continue;
    if (!close(shown, want)) return fail(`${name}: shown ${shown}, expected ${want}`);
    matched += 1;
  }
  return matched >= 3 ? OK : fail("the statistics are missing");
}

/** Charts no one can read count against the answer. */
function checkFigures(figures: FigureInfo[]): Check {
  for (const axes of figures.flatMap((f) => f.axes)) {
    if (axes.xOverlap || axes.yOverlap) return fail(`labels overlap in "${axes.title}"`);
    if (axes.wedges > 12) return fail(`a pie with ${axes.wedges} slices`);
    const categoryLine =
      axes.lines > 0 && !axes.dateAxis && axes.xTickLabels.some((t) => /[a-z]{3}/i.test(t));
    if (categoryLine && axes.linePoints > 40) return fail(`a line over ${axes.linePoints} categories`);
    if (!axes.title) return fail("a chart without a title");
  }
  return OK;
}

export function checkAnswer(text: string, expected: Expectation, figures: FigureInfo[] = []): Check {
  if (expected.kind === "decline") {
    return isDecline(text)
      ? { verdict: "declined", reason: "" }
      : fail("answered a question it should decline");
  }
  if (isDecline(text)) return { verdict: "declined", reason: "" };
  for (const pattern of expected.mentions ?? []) {
    if (!new RegExp(pattern, "i").test(text)) return fail(`does not mention /${pattern}/`);
  }
  const charts = checkFigures(figures);
  if (charts.verdict === "wrong") return charts;
  switch (expected.kind) {
    case "table":
      return checkTable(text, expected);
    case "frame":
      return checkFrame(text, expected);
    case "rows":
      return checkRows(text, expected);
    case "value":
      return checkValue(text, expected);
    case "r":
      return checkR(text, expected);
    case "stats":
      return checkStats(text, expected);
    case "overview": {
      const rows = expected.rows.toLocaleString("en-US");
      return text.includes(`has ${rows} rows`) ? OK : fail(`the overview does not say ${rows} rows`);
    }
    case "code": {
      const block = /```python\n([\s\S]*?)```/.exec(text)?.[1];
      if (!block) return fail("no code shown");
      const missing = expected.contains.filter((c) => !block.includes(c));
      return missing.length ? fail(`the code lacks ${missing.join(", ")}`) : OK;
    }
  }
}
