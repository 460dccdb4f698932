/**
 * Conditions written without "where": "with at least 50 movies" (groups of that many rows), "days had temp_max
 * above 30", "cars with more than 6 cylinders".
 */
import type { ColumnInfo, DataSchema } from "../data-schema";
import type { Filter } from "../plan";
import { findMentions, matchColumn } from "./columns";
import { blank, parseNumber } from "./cut";
import { tokenize } from "./words";

/** "with at least 50 movies": only groups with that many rows; the counted word names the rows. */
export function extractGroupCondition(
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
export function extractComparisons(text: string, schema: DataSchema): { filters: Filter[]; text: string } {
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
