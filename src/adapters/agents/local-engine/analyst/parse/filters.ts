/**
 * Filters in a question: "where region is West", "where temp_max > 20 and weather is rain", "after 2010",
 * "in March 2014", "between 2010 and 2012", "for MSFT", "excluding sun". Each filter found is cut out of the
 * text (replaced by a barrier) so the rest of the parser does not read its words as columns.
 */
import type { ColumnInfo, DataSchema } from "../data-schema";
import type { Filter } from "../plan";
import { matchColumn, rankColumns } from "./columns";
import { extractComparisons, extractGroupCondition } from "./comparisons";
import { blank, parseNumber } from "./cut";
import { extractTimeWords, ISO_DATE, MONTH, monthNumber, timeColumn, YEAR } from "./dates";
import { isFiller, isKeyword, tokenize } from "./words";

export { blank } from "./cut";

export interface FilterExtraction {
  filters: Filter[];
  /** The question with the filters cut out. */
  text: string;
  /** Conditions that named no column or compared a value the column cannot hold. */
  problems: string[];
}

type Op = "eq" | "ne" | "gt" | "ge" | "lt" | "le" | "contains";

/** Comparison words, most specific first. */
const OPERATORS: [RegExp, Op][] = [
  [/\s+(?:is not equal to|is not|isn't|is different from|not equal to)\s+|\s*(?:!=|<>|≠)\s*/, "ne"],
  [
    /\s+(?:is at least|at least|is greater than or equal to|greater than or equal to|since)\s+|\s*(?:>=|=>|≥)\s*/,
    "ge",
  ],
  [
    /\s+(?:is at most|at most|is less than or equal to|less than or equal to|until)\s+|\s*(?:<=|=<|≤)\s*/,
    "le",
  ],
  [
    /\s+(?:is greater than|greater than|is more than|more than|is above|above|is over|over|exceeds|is higher than|higher than|is after|after)\s+|\s*>\s*/,
    "gt",
  ],
  [
    /\s+(?:is less than|less than|is below|below|is under|under|is lower than|lower than|is before|before)\s+|\s*<\s*/,
    "lt",
  ],
  [/\s+(?:contains|includes|is like|like|mentions)\s+/, "contains"],
  [/\s+(?:is equal to|equal to|equals|is one of|is in|in|is|are|was|were)\s+|\s*(?:==|=)\s*/, "eq"],
];

function unquote(text: string): string {
  return text
    .trim()
    .replace(/^["'`“‘](.*)["'`”’]$/, "$1")
    .replace(/\s+only$/, "")
    .trim();
}

/** The actual value of a text column that a word names, ignoring case and extra spaces. */
function knownValue(column: ColumnInfo, text: string): string | undefined {
  const wanted = text.trim().toLowerCase().replace(/\s+/g, " ");
  return column.values?.find((v) => v.trim().toLowerCase().replace(/\s+/g, " ") === wanted);
}

/** One condition of a where-clause, e.g. "temp_max > 20"; `typed` is the same text as it was typed. */
function parseCondition(
  condition: string,
  typed: string,
  schema: DataSchema,
  problems: string[],
): Filter | undefined {
  const lead = condition.length - condition.trimStart().length;
  condition = condition.trim();
  typed = typed.slice(lead, lead + condition.length);
  for (const [pattern, op] of OPERATORS) {
    const match = pattern.exec(condition);
    if (!match || match.index === 0) continue;
    const left = condition
      .slice(0, match.index)
      .replace(/^(?:the|a|an)\s+/, "")
      .trim();
    const right = unquote(typed.slice(match.index + match[0].length));
    if (!right) return undefined;
    let column = matchColumn(left, schema.columns);
    if (!column && /^(year|month|date|day|time)s?$/.test(left)) column = timeColumn(schema, condition);
    if (!column) {
      if (tokenize(left).some((t) => t !== ";" && !isFiller(t))) problems.push(`no column matches "${left}"`);
      return undefined;
    }
    return filterFor(column, op, right, problems);
  }
  return undefined;
}

function filterFor(column: ColumnInfo, op: Op, right: string, problems: string[]): Filter | undefined {
  const name = column.name;
  if (column.kind === "date") {
    if (op === "contains" || op === "ne") return undefined;
    const monthYear = new RegExp(`^${MONTH}\\s+${YEAR}$`).exec(right.toLowerCase());
    if (monthYear)
      return { column: name, op, year: Number(monthYear[2]), month: monthNumber(monthYear[1] as string) };
    if (new RegExp(`^${YEAR}$`).test(right)) return { column: name, op, year: Number(right) };
    if (new RegExp(`^${ISO_DATE}$`).test(right) && op !== "eq") return { column: name, op, date: right };
    problems.push(`"${right}" is not a year or a date I can compare ${name} with`);
    return undefined;
  }
  if (column.kind === "number") {
    const value = parseNumber(right);
    if (value === undefined || op === "contains") {
      problems.push(`${name} holds numbers, so I can't compare it with "${right}"`);
      return undefined;
    }
    return { column: name, op, number: value };
  }
  if (op === "contains") return { column: name, op, text: right };
  if (op !== "eq" && op !== "ne") {
    problems.push(`${name} holds text, so "${right}" can only be matched, not compared`);
    return undefined;
  }
  const wanted = right
    .replace(/^\((.*)\)$/, "$1")
    .split(/\s*,\s*|\s+or\s+|\s+nor\s+/)
    .map(unquote)
    .filter(Boolean);
  const known = wanted.map((w) => knownValue(column, w));
  if (known.every((k): k is string => k !== undefined))
    return { column: name, op, values: known, exact: true };
  return { column: name, op, values: wanted, exact: false };
}

/** The where-clause: everything after "where"/"whose"/"with"/"when"/"having", split on "and". */
function extractWhere(
  text: string,
  original: string,
  schema: DataSchema,
  problems: string[],
): { filters: Filter[]; text: string } {
  const match =
    /\b(?:where|whose|with|when|having|if)\s+([^,;]+?)(?=\s+(?:by|per|as an?|for each|over time|grouped by|split by)\b|[,;]|$)/.exec(
      text,
    );
  if (!match) return { filters: [], text };
  const clauseStart = match.index + match[0].length - (match[1] as string).length;
  const clause = (match[1] as string).trimEnd();
  // Values keep the capitals they were typed with (the question and its lowercase have the same length).
  const typed =
    original.length === text.length ? original.slice(clauseStart, clauseStart + clause.length) : clause;
  const filters: Filter[] = [];
  const clauseProblems: string[] = [];
  const cuts = [...clause.matchAll(/\s+and\s+/g)].map((m) => [m.index, m.index + m[0].length] as const);
  let from = 0;
  for (const [end, next] of [...cuts, [clause.length, clause.length] as const]) {
    const filter = parseCondition(clause.slice(from, end), typed.slice(from, end), schema, clauseProblems);
    if (filter) filters.push(filter);
    from = next;
  }
  // "with" and "when" also start ordinary phrases; only a clause that holds a condition is a filter.
  if (filters.length === 0 && !/^where|^whose/.test(match[0])) return { filters: [], text };
  problems.push(...clauseProblems);
  return { filters, text: blank(text, match.index, match.index + match[0].length) };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Values of text columns named in the question: "for Seattle", "excluding sun", or "MSFT" as written. */
function extractValues(
  text: string,
  original: string,
  schema: DataSchema,
): { filters: Filter[]; text: string } {
  const found = new Map<string, { op: "eq" | "ne"; values: string[] }>();
  const candidates = schema.columns
    .filter((c) => c.kind === "text" && c.values)
    .flatMap((c) => (c.values ?? []).map((value) => ({ column: c, value: value.trim() })))
    .filter(({ value }) => {
      const words = tokenize(value).filter((t) => t !== ";");
      if (words.length === 0 || /^\d+(\.\d+)?$/.test(value)) return false;
      if (words.every((w) => isFiller(w) || isKeyword(w))) return false;
      return rankColumns(value, schema.columns, 90).length === 0;
    })
    .sort((a, b) => b.value.length - a.value.length);
  for (const { column, value } of candidates) {
    const v = escapeRegExp(value.toLowerCase()).replace(/\s+/g, "\\s+");
    const patterns: [RegExp, "eq" | "ne"][] = [
      [
        new RegExp(
          `\\b(?:excluding|except(?: for)?|without|other than|not)\\s+(?:the\\s+)?${v}(?![\\p{L}\\p{N}])`,
          "u",
        ),
        "ne",
      ],
      [new RegExp(`\\b(?:for|in|at|from|only|of|on)\\s+(?:the\\s+)?${v}(?![\\p{L}\\p{N}])`, "u"), "eq"],
      [new RegExp(`(?<![\\p{L}\\p{N}])${v}\\s+only\\b`, "u"), "eq"],
      // "rainy days", "sunny", "foggy": the adjective of a value (not "many" for "MA").
      ...(value.length >= 3
        ? ([[new RegExp(`(?<![\\p{L}\\p{N}])${v}(?:y|ny|gy)(?![\\p{L}\\p{N}])`, "u"), "eq"]] as [
            RegExp,
            "eq",
          ][])
        : []),
    ];
    let hit: { index: number; length: number; op: "eq" | "ne" } | undefined;
    for (const [pattern, op] of patterns) {
      const m = pattern.exec(text);
      if (m) {
        hit = { index: m.index, length: m[0].length, op };
        break;
      }
    }
    // A value written with its own capitals ("MSFT", "Seattle") counts without a preposition.
    if (!hit && value !== value.toLowerCase() && value.length >= 2 && original.length === text.length) {
      const bare = new RegExp(
        `(?<![\\p{L}\\p{N}])${escapeRegExp(value).replace(/\s+/g, "\\s+")}(?![\\p{L}\\p{N}])`,
        "gu",
      );
      for (const m of original.matchAll(bare)) {
        if (text.slice(m.index, m.index + m[0].length) === m[0].toLowerCase()) {
          hit = { index: m.index, length: m[0].length, op: "eq" };
          break;
        }
      }
    }
    if (!hit) continue;
    const entry = found.get(column.name) ?? { op: hit.op, values: [] };
    if (entry.op === hit.op && !entry.values.includes(value)) entry.values.push(value);
    found.set(column.name, entry);
    text = blank(text, hit.index, hit.index + hit.length);
  }
  // "only sun and fog", "for MSFT, IBM or AAPL": more values of a column already picked, listed after it.
  for (let more = true; more;) {
    more = false;
    for (const { column, value } of candidates) {
      const entry = found.get(column.name);
      if (!entry || entry.values.includes(value)) continue;
      const v = escapeRegExp(value.toLowerCase()).replace(/\s+/g, "\\s+");
      const listed = new RegExp(`;\\s*(?:,|and|or|nor)?\\s+(?:the\\s+)?(${v})(?![\\p{L}\\p{N}])`, "u").exec(
        text,
      );
      if (!listed) continue;
      entry.values.push(value);
      text = blank(text, listed.index, listed.index + listed[0].length);
      more = true;
    }
  }
  const filters: Filter[] = [...found].map(([column, { op, values }]) => ({
    column,
    op,
    values,
    exact: true,
  }));
  return { filters, text };
}

export interface FilterParts extends FilterExtraction {
  /** Only groups with at least this many rows. */
  minCount?: number;
  /** The word the group condition counted ("movies"): a name for the rows. */
  unit?: string;
}

/** Cuts every filter out of a (lowercased) question. `original` keeps the question's capitals. */
export function extractFilters(text: string, original: string, schema: DataSchema): FilterParts {
  const problems: string[] = [];
  const group = extractGroupCondition(text, schema);
  const where = extractWhere(group.text, original, schema, problems);
  const compared = extractComparisons(where.text, schema);
  const time = extractTimeWords(compared.text, schema);
  const values = extractValues(time.text, original, schema);
  return {
    filters: [...where.filters, ...compared.filters, ...time.filters, ...values.filters],
    text: values.text,
    problems,
    minCount: group.minCount,
    unit: group.unit,
  };
}
