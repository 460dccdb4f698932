/**
 * The confidence gate. The parser knows which words of a question it explained; when a word that matters is
 * left over (a column it cannot find, a condition it cannot read, a measure that is missing), it does not run
 * something else. It says what it understood, what it did not, and offers questions close to this one that it
 * can answer — each checked by parsing it.
 */
import { editDistance } from "../similarity";
import {
  type ColumnInfo,
  type DataSchema,
  categories,
  mainCategory,
  mainMeasure,
  measures,
} from "../data-schema";
import type { AnalysisPlan, DeclinePlan, Plan } from "../plan";
import { filtersLabel } from "../labels";
import {
  explicitAggregation,
  explicitChart,
  isNumeric,
  type Parts,
  unexplainedWords,
} from "./question-parts";

/** Columns whose names are close to a word, closest first. */
function closeColumns(word: string, columns: ColumnInfo[]): ColumnInfo[] {
  const w = word.toLowerCase();
  return columns
    .map((c) => ({ c, d: editDistance(w, c.name.toLowerCase().replace(/[_\s]+/g, " ")) }))
    .filter(({ c, d }) => d <= Math.max(2, Math.floor(Math.max(w.length, c.name.length) / 3)))
    .sort((a, b) => a.d - b.d)
    .map(({ c }) => c);
}

const COLUMN_POSITION =
  /\b(?:by|per|of|vs|versus|against|across|for each|for every|of each|on each|in each|colou?red by|average|avg|mean|median|total|sum|max|maximum|min|minimum|highest|lowest|top \d+|bottom \d+)\s+(?:the\s+)?$/;

/** Runs of neighbouring unexplained words, as they were typed ("box office"). */
function phrases(text: string, words: string[]): { phrase: string; start: number; end: number }[] {
  const found: { phrase: string; start: number; end: number }[] = [];
  const pattern = new RegExp(
    `(?<![\\p{L}\\p{N}])(?:${words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})(?![\\p{L}\\p{N}])`,
    "gu",
  );
  for (const m of text.matchAll(pattern)) {
    const last = found[found.length - 1];
    const start = m.index as number;
    if (last && /^\s+$/.test(text.slice(last.end, start))) {
      last.phrase = text.slice(last.start, start + m[0].length);
      last.end = start + m[0].length;
    } else found.push({ phrase: m[0], start, end: start + m[0].length });
  }
  return found;
}

export interface GateInput {
  /** The question as asked (lowercased, same length as typed). */
  text: string;
  parts: Parts;
  schema: DataSchema;
  /** Parses a question again, to check a suggestion (none are made without it). */
  reparse?: (question: string) => Plan;
}

function isAnalysis(plan: Plan): plan is AnalysisPlan {
  return (
    plan.kind === "aggregate" ||
    plan.kind === "histogram" ||
    plan.kind === "scatter" ||
    plan.kind === "correlation"
  );
}

/** Columns that could stand where an unknown word stands: near names first, then the table's main ones. */
function candidates(input: GateInput, cut: Cut): ColumnInfo[] {
  const { text, schema } = input;
  const word = text.slice(cut.start, cut.end);
  const numberWanted = !/\b(?:by|per|across|for each|of each|on each|in each)\s+(?:the\s+)?$/.test(
    text.slice(0, cut.start),
  );
  const pool = numberWanted ? measures(schema) : categories(schema);
  const near = closeColumns(word, schema.columns).filter((c) => isNumeric(c) === numberWanted);
  const fallback = numberWanted ? mainMeasure(schema) : mainCategory(schema);
  return [...new Set([...near, ...(fallback ? [fallback] : []), ...pool])].slice(0, 3);
}

interface Cut {
  start: number;
  end: number;
  asColumn: boolean;
}

/** The question with each cut replaced (by a column name) or left out (with the connector before it). */
function rewrite(text: string, cuts: Cut[], replacements: (string | undefined)[]): string {
  let out = text;
  for (let i = cuts.length - 1; i >= 0; i--) {
    const { start, end } = cuts[i] as Cut;
    const replacement = replacements[i];
    const before =
      replacement === undefined
        ? out
            .slice(0, start)
            .replace(/\b(?:by|per|of|for|in|on|vs|versus|against|across|where|with)\s+(?:the\s+)?$/, "")
        : out.slice(0, start);
    out = before + (replacement ?? "") + out.slice(end);
  }
  return out;
}

/** Questions like this one that parse to an analysis: unknown words replaced by near columns, or left out. */
function suggestions(input: GateInput, cuts: Cut[], mentioned: boolean): string[] {
  const { text, reparse } = input;
  const out: string[] = [];
  if (!reparse || cuts.length === 0) return out;
  const tryQuestion = (q: string) => {
    const clean = q
      .replace(/\s+/g, " ")
      .replace(/\s+([,?.!])/g, "$1")
      .trim();
    if (!clean || out.includes(clean)) return;
    if (isAnalysis(reparse(clean))) out.push(clean);
  };
  const options = cuts.map((cut) => (cut.asColumn ? candidates(input, cut).map((c) => c.name) : []));
  // Every unknown word replaced by its best candidate, then the second best, …
  for (let k = 0; k < 3; k++) {
    if (options.every((o) => o.length === 0)) break;
    tryQuestion(
      rewrite(
        text,
        cuts,
        options.map((o) => o[Math.min(k, o.length - 1)]),
      ),
    );
  }
  // Or left out, when what remains still names a column of the question.
  if (mentioned)
    tryQuestion(
      rewrite(
        text,
        cuts,
        cuts.map(() => undefined),
      ),
    );
  return out.slice(0, 3);
}

interface Ambiguity {
  phrase: string;
  start: number;
  end: number;
  columns: string[];
}

/** Words that name two columns of the same kind equally well ("cost": Cost Repair or Cost Total $). */
function ambiguousMentions(parts: Parts, text: string): Ambiguity[] {
  const found: Ambiguity[] = [];
  for (const mention of parts.mentions) {
    const numeric = mention.columns.filter(isNumeric);
    const other = mention.columns.filter((c) => !isNumeric(c));
    const tied =
      numeric.length >= 2 ? numeric : other.length >= 2 && numeric.length === 0 ? other : undefined;
    if (!tied) continue;
    const words = parts.tokens.slice(mention.start, mention.end);
    const pattern = new RegExp(
      words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("[^\\p{L}\\p{N}]+"),
      "u",
    );
    const at = pattern.exec(text);
    if (!at) continue;
    found.push({
      phrase: at[0],
      start: at.index,
      end: at.index + at[0].length,
      columns: tied.map((c) => c.name),
    });
  }
  return found;
}

const AGGREGATION_NAMES: Record<string, string> = {
  sum: "a total",
  mean: "an average",
  median: "a median",
  count: "a count",
  nunique: "a count of distinct values",
  min: "a minimum",
  max: "a maximum",
};

/** What the question itself said that the parser read, in words, without the defaults a plan would add. */
function understoodText(parts: Parts): string {
  const pieces: string[] = [];
  const chart = explicitChart(parts.text);
  if (chart && chart !== "table") pieces.push(chart === "correlation" ? "a correlation" : `a ${chart} chart`);
  const aggregation = explicitAggregation(parts.tokens, parts.mentions);
  if (aggregation) pieces.push(AGGREGATION_NAMES[aggregation] as string);
  if (parts.rank)
    pieces.push(
      parts.rank.which
        ? `the ${parts.rank.order === "largest" ? "highest" : "lowest"}`
        : `the ${parts.rank.order === "largest" ? "top" : "bottom"} ${parts.rank.n}`,
    );
  const columns = [...new Set(parts.mentions.map((m) => m.columns[0]?.name).filter(Boolean))];
  if (columns.length)
    pieces.push(`the column${columns.length > 1 ? "s" : ""} ${columns.map((c) => `\`${c}\``).join(", ")}`);
  if (parts.series) pieces.push(`one series per \`${parts.series.name}\``);
  if (parts.grain) pieces.push(`by ${parts.grain}`);
  if (parts.filters.length) pieces.push(`rows where ${filtersLabel(parts.filters)}`);
  if (parts.minCount !== undefined) pieces.push(`groups of at least ${parts.minCount} rows`);
  return pieces.join("; ");
}

/** The plan, or a decline naming the words that matter and were not understood. */
export function gate(input: GateInput, plan: Plan): Plan {
  const { parts, text, schema } = input;
  if (plan.kind === "decline" || plan.kind === "help" || plan.kind === "overview") {
    if (plan.kind !== "decline" || plan.suggestions.length > 0 || plan.beyond) return plan;
  }
  const unknown = unexplainedWords(parts);
  const ambiguous = ambiguousMentions(parts, text);
  if (ambiguous.length && isAnalysis(plan)) {
    const problems = ambiguous.map(
      (a) => `"${a.phrase}" could mean ${a.columns.map((c) => `\`${c}\``).join(" or ")}`,
    );
    const options: string[] = [];
    const first = ambiguous[0] as Ambiguity;
    for (const column of first.columns) {
      const question = text.slice(0, first.start) + column + text.slice(first.end);
      if (input.reparse && isAnalysis(input.reparse(question))) options.push(question);
    }
    return {
      kind: "decline",
      understood: understoodText(parts) || undefined,
      problems,
      suggestions: options.slice(0, 3),
    };
  }
  const problems = [...parts.problems, ...(plan.kind === "decline" ? plan.problems : [])];
  const cut: Cut[] = [];
  for (const { phrase, start, end } of unknown.length ? phrases(text, [...new Set(unknown)]) : []) {
    const asColumn = COLUMN_POSITION.test(text.slice(0, start));
    if (/^\d/.test(phrase)) problems.push(`I don't know what the number ${phrase} refers to`);
    else if (COLUMN_POSITION.test(text.slice(0, start))) {
      const near = closeColumns(phrase, schema.columns).map((c) => `\`${c.name}\``);
      problems.push(
        `no column is called "${phrase}"${near.length ? ` (did you mean ${near.slice(0, 2).join(" or ")}?)` : ""}`,
      );
    } else problems.push(`I don't know what "${phrase}" means here`);
    cut.push({ start, end, asColumn });
  }
  const noMeasure =
    plan.kind === "aggregate" &&
    plan.measures.length === 0 &&
    !["count", "nunique"].includes(plan.aggregation);
  if (noMeasure)
    problems.push(
      `there is no number to take the ${plan.aggregation === "mean" ? "average" : plan.aggregation} of`,
    );
  if (parts.problems.length) {
    const clause = /\b(?:where|whose|with|when|having|if)\b[^,;]*/.exec(text);
    if (clause) cut.push({ start: clause.index, end: clause.index + clause[0].length, asColumn: false });
  }
  if (problems.length === 0) return plan;
  const understood = understoodText(parts) || undefined;
  const decline: DeclinePlan = {
    kind: "decline",
    understood,
    problems,
    suggestions: suggestions(input, cut, parts.mentions.length > 0),
  };
  return decline;
}
