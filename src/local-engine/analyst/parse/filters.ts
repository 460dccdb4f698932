/**
 * Filters in a question: "where region is West", "where temp_max > 20 and weather is rain", "after 2010",
 * "in March 2014", "between 2010 and 2012", "for MSFT", "excluding sun". Each filter found is cut out of the
 * text (replaced by a barrier) so the rest of the parser does not read its words as columns.
 */
import { type ColumnInfo, type DataSchema, isYearLike, mainDate } from "../data-schema";
import type { Filter } from "../plan";
import { findMentions, matchColumn, rankColumns } from "./columns";
import { isFiller, isKeyword, tokenize } from "./words";

export interface FilterExtraction {
  filters: Filter[];
  /** The question with the filters cut out. */
  text: string;
  /** Conditions that named no column or compared a value the column cannot hold. */
  problems: string[];
}

const MONTHS = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];
const MONTH =
  "(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";
const YEAR = "(1[0-9]{3}|2[0-9]{3})";
const ISO_DATE = "(\\d{4}-\\d{2}-\\d{2}|\\d{4}-\\d{2})";

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

/** Cuts [start, end) out of the text without changing its length, leaving a barrier for the tokenizer. */
export function blank(text: string, start: number, end: number): string {
  return text.slice(0, start) + ";".padEnd(end - start, " ") + text.slice(end);
}

function monthNumber(word: string): number {
  return MONTHS.findIndex((m) => m.startsWith(word.slice(0, 3))) + 1;
}

function parseNumber(text: string): number | undefined {
  const cleaned = text
    .replace(/[$€£¥,%\s]/g, "")
    .replace(/^(-?\d+(?:\.\d+)?)k$/i, (_m, n: string) => String(Number(n) * 1000));
  if (!/^-?\d+(?:\.\d+)?(?:e-?\d+)?$/i.test(cleaned)) return undefined;
  const value = Number(cleaned);
  return Number.isFinite(value) ? value : undefined;
}

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

/** The column that date words ("after 2010", "where year is 2012") refer to. */
function timeColumn(schema: DataSchema, text: string): ColumnInfo | undefined {
  const dates = schema.columns.filter((c) => c.kind === "date");
  const named = findMentions(tokenize(text), dates)[0]?.columns[0];
  return named ?? mainDate(schema) ?? schema.columns.find(isYearLike);
}

function yearFilter(column: ColumnInfo, op: Filter["op"], year: number, month?: number): Filter {
  if (column.kind === "number") return { column: column.name, op: op as "eq", number: year };
  return { column: column.name, op: op as "eq", year, ...(month ? { month } : {}) };
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

/** "after 2010", "since 2012-06", "in March 2014", "between 2010 and 2012". */
function extractTimeWords(text: string, schema: DataSchema): { filters: Filter[]; text: string } {
  const filters: Filter[] = [];
  const column = timeColumn(schema, text);
  if (!column) return { filters, text };
  const cut = (pattern: RegExp, make: (m: RegExpExecArray) => Filter[]) => {
    for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
      filters.push(...make(m));
      text = blank(text, m.index, m.index + m[0].length);
    }
  };
  cut(new RegExp(`\\b(?:between|from)\\s+${YEAR}\\s+(?:and|to|until|through|-)\\s+${YEAR}\\b`), (m) => [
    yearFilter(column, "ge", Number(m[1])),
    yearFilter(column, "le", Number(m[2])),
  ]);
  cut(
    new RegExp(
      `\\b(after|since|from|starting|before|until|till|through|up to)\\s+(?:${ISO_DATE}|${YEAR})\\b`,
    ),
    (m) => {
      const word = m[1] as string;
      const op =
        word === "after" ? "gt" : word === "before" ? "lt" : /since|from|starting/.test(word) ? "ge" : "le";
      if (m[2] && column.kind === "date") return [{ column: column.name, op, date: m[2] }];
      const year = Number((m[3] ?? m[2] ?? "").slice(0, 4));
      return [yearFilter(column, op, year)];
    },
  );
  cut(
    new RegExp(
      `\\b(?:in|during|for|of|only|just)\\s+(?:in\\s+)?(?:the year\\s+)?(?:${MONTH}\\s+)?${YEAR}\\b`,
    ),
    (m) => [
      yearFilter(column, "eq", Number(m[2]), m[1] && column.kind === "date" ? monthNumber(m[1]) : undefined),
    ],
  );
  return { filters, text };
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

/** "with at least 50 movies": only groups with that many rows; the counted word names the rows. */
function extractGroupCondition(
  text: string,
  schema: DataSchema,
): { text: string; minCount?: number; unit?: string } {
  const match =
    /\b(?:with|having|that have|who have|which have|for those with)\s+(at least|more than|over|>=|>)\s*(\d+)\s+([\p{L}]+)/u.exec(
      text,
    );
  if (!match) return { text };
  const unit = match[3] as string;
  // "with more than 6 cylinders" compares a column, it does not count rows.
  if (matchColumn(unit, schema.columns)) return { text };
  const n = Number(match[2]) + (/more|over|^>$/.test(match[1] as string) ? 1 : 0);
  return { text: blank(text, match.index, match.index + match[0].length), minCount: n, unit };
}

const COMPARISONS: [RegExp, "gt" | "ge" | "lt" | "le" | "eq"][] = [
  [/^(?:is\s+)?(?:at least|no less than|>=|≥)$/, "ge"],
  [/^(?:is\s+)?(?:at most|no more than|<=|≤)$/, "le"],
  [
    /^(?:is\s+|was\s+)?(?:above|over|more than|greater than|higher than|larger than|bigger than|exceeding|>)$/,
    "gt",
  ],
  [/^(?:is\s+|was\s+)?(?:below|under|less than|lower than|smaller than|<)$/, "lt"],
  [/^(?:is|was|equals|equal to|=|==)$/, "eq"],
];
const COMPARISON =
  /(?<![\p{L}\p{N}])((?:is\s+|was\s+)?(?:at least|no less than|at most|no more than|above|over|more than|greater than|higher than|larger than|bigger than|exceeding|below|under|less than|lower than|smaller than)|>=|<=|≥|≤|==|>|<|=)\s*(-?\d[\d,]*(?:\.\d+)?k?)(?![\p{L}\p{N}])/gu;

/**
 * Comparisons without a "where": "days had temp_max above 30", "cars with 8 cylinders", "mpg over 30". The
 * column is the one named just before the comparison (or just after the number, for "with 8 cylinders").
 */
function extractComparisons(text: string, schema: DataSchema): { filters: Filter[]; text: string } {
  const filters: Filter[] = [];
  const numeric = schema.columns.filter((c) => c.kind === "number");
  for (const m of [...text.matchAll(COMPARISON)]) {
    const before = text.slice(0, m.index);
    const words = tokenize(before);
    const mentions = findMentions(words, numeric);
    const last = mentions[mentions.length - 1];
    const op = COMPARISONS.find(([pattern]) => pattern.test((m[1] as string).trim()))?.[1];
    const number = parseNumber(m[2] as string);
    if (!last || last.end !== words.length || !op || number === undefined) continue;
    const column = last.columns[0] as ColumnInfo;
    // Blank from the column's first word to the end of the number.
    const wordsBefore = words.slice(0, last.start).filter((w) => w !== ";").length;
    const start = wordStart(before, wordsBefore);
    filters.push({ column: column.name, op, number });
    text = blank(text, start, (m.index as number) + m[0].length);
  }
  const withNumber =
    /\b(?:with|having|has|have)\s+(?:(more than|over|at least|fewer than|less than|under|at most|exactly)\s+)?(\d+(?:\.\d+)?)\s+([\p{L}_ ]+?)(?=\s*(?:[,;]|\b(?:and|by|per|as|in|for|where|from)\b|$))/gu;
  const ops: Record<string, "gt" | "ge" | "lt" | "le" | "eq"> = {
    "more than": "gt",
    over: "gt",
    "at least": "ge",
    "fewer than": "lt",
    "less than": "lt",
    under: "lt",
    "at most": "le",
    exactly: "eq",
  };
  for (const m of [...text.matchAll(withNumber)]) {
    const column = matchColumn(m[3] as string, numeric);
    if (!column) continue;
    filters.push({ column: column.name, op: m[1] ? (ops[m[1]] ?? "eq") : "eq", number: Number(m[2]) });
    text = blank(text, m.index as number, (m.index as number) + m[0].length);
  }
  return { filters, text };
}

/** The character offset where the n-th word (0-based, barriers not counted) of a text starts. */
function wordStart(text: string, n: number): number {
  const pattern = /[\p{L}\p{N}]+/gu;
  let i = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    if (i === n) return m.index;
    i += 1;
  }
  return text.length;
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
