/**
 * Turns a question into a plan against a known table. Order matters: series ("for each …") and filters are cut
 * out first, then the words left are read as columns, connectors ("by", "over", "vs"), aggregation, chart kind,
 * time grain and ranking.
 */
import { type ColumnInfo, type DataSchema, measures } from "../data-schema";
import type { Plan } from "../plan";
import { aggregatePlan } from "./aggregate-plan";
import {
  explicitAggregation,
  explicitChart,
  isNumeric,
  normalizeQuestion,
  type Parts,
  parts,
  roleOf,
  strayWords,
  unknownPhrase,
} from "./question-parts";
import type { Mention } from "./columns";

export { normalizeQuestion } from "./question-parts";
export { dimensionFor } from "./aggregate-plan";

/** Tasks that need a language model, not a template. */
const BEYOND =
  /\b(forecast\w*|predict\w*|regression|cluster\w*|classif\w*|train\w*|neural|machine learning|anomal\w*|outliers?|why|explain\w*|recommend\w*|optimi[sz]\w*|simulat\w*|translat\w*|sentiment)\b/;

const HELP = /^(help|\?|what can you do|how does this work|what do you (do|support)|commands|usage)\b/;
const OVERVIEW =
  /^(?:(?:take|have) a look|look at (?:this|it)|overview|summary|summari[sz]e|describe|profile|explore|analy[sz]e|what(?:'s| is) in (?:this|the|here)|tell me about|show (?:me )?the (?:data|file|table)|columns)\b/;

/** True for an empty or generic message ("take a look", "here's the file") that should get an overview. */
export function isGenericRequest(question: string): boolean {
  const text = normalizeQuestion(question)
    .trim()
    .replace(/[.!?]+$/, "");
  if (text === "") return true;
  if (OVERVIEW.test(text.replace(/^(?:please|pls|can you|could you|hey|hi|ok)\s+/, ""))) return true;
  return (
    /^(?:here(?:'s| is| are)?|attached|see attached|fyi|thoughts|new data|this|the file|data|hi|hello|hey)\b[^?]{0,40}$/.test(
      text,
    ) && !/\b(chart|plot|graph|by|average|sum|total|top|histogram|scatter|correlat)/.test(text)
  );
}

/**
 * Reads a question against a table. Returns a help plan (with the reason) when the question names no column
 * it can find or asks for something the offline analyst does not do.
 */
export function parseRequest(question: string, schema: DataSchema): Plan {
  const p = parts(question, schema);
  const plan = planFor(question, p, schema);
  if (plan.kind === "help" || plan.kind === "overview") return plan;
  const stray = strayWords(p.tokens, p.mentions);
  return stray.length ? { ...plan, ignored: stray } : plan;
}

function planFor(question: string, p: Parts, schema: DataSchema): Plan {
  const trimmed = normalizeQuestion(question)
    .trim()
    .replace(/[.!?]+$/, "");
  if (HELP.test(trimmed)) return { kind: "help" };
  if (isGenericRequest(question) && p.mentions.length === 0) return { kind: "overview" };
  if (BEYOND.test(trimmed)) {
    return {
      kind: "help",
      reason: "That needs more than the built-in analyst can do without a language model.",
    };
  }
  if (p.problems.length > 0) return { kind: "help", reason: `In your filter, ${p.problems.join("; ")}.` };
  const unknown = unknownPhrase(p.tokens, p.mentions);
  if (unknown) return { kind: "help", reason: `I couldn't find a column matching "${unknown}".` };

  // Column names amid words that ask for nothing the analyst knows: not a request it can read.
  const asksForSomething =
    explicitChart(p.text) ||
    explicitAggregation(p.tokens, p.mentions) ||
    p.grain ||
    p.rank ||
    p.overTime ||
    p.filters.length > 0 ||
    p.series;
  if (!asksForSomething && strayWords(p.tokens, p.mentions).length >= 2) {
    return { kind: "help", reason: "I couldn't turn that into a chart or a summary." };
  }

  const roles: { role: "subject" | "dimension" | "versus"; mention: Mention }[] = [];
  for (const mention of p.mentions)
    roles.push({ role: roleOf(p.tokens, mention, roles[roles.length - 1]), mention });
  const pick = (m: Mention, prefer: (c: ColumnInfo) => boolean) =>
    m.columns.find(prefer) ?? (m.columns[0] as ColumnInfo);
  const subjects = roles.filter((r) => r.role === "subject").map((r) => pick(r.mention, isNumeric));
  const dimensions = roles
    .filter((r) => r.role === "dimension")
    .map((r) => pick(r.mention, (c) => !isNumeric(c)));
  const versus = roles.filter((r) => r.role === "versus").map((r) => pick(r.mention, isNumeric));
  const chart = explicitChart(p.text);
  const filters = p.filters;

  if (chart === "correlation") {
    const numeric = [...subjects, ...versus, ...dimensions].filter(isNumeric);
    const columns =
      numeric.length >= 2
        ? numeric.slice(0, 2)
        : measures(schema)
            .slice(0, 12)
            .map((c) => c.name);
    if (numeric.length >= 2)
      return { kind: "correlation", columns: numeric.slice(0, 2).map((c) => c.name), filters };
    if (columns.length < 2)
      return { kind: "help", reason: "A correlation needs at least two number columns." };
    return { kind: "correlation", columns: columns as string[], filters };
  }

  const numericPair = [...subjects, ...versus, ...dimensions].filter(isNumeric);
  if (
    chart === "scatter" ||
    (versus.length > 0 && numericPair.length >= 2 && !explicitAggregation(p.tokens, p.mentions))
  ) {
    if (numericPair.length < 2)
      return { kind: "help", reason: 'A scatter plot needs two number columns, e.g. "scatter of A vs B".' };
    const [first, second] = numericPair as [ColumnInfo, ColumnInfo];
    // "scatter of Y vs X" / "Y against X" / "Y by X": the first is the y-axis; "of A and B": A is the x-axis.
    const yFirst = versus.length > 0 || dimensions.some((d) => d === second);
    const group = p.series ?? [...subjects, ...dimensions].find((c) => !isNumeric(c));
    return {
      kind: "scatter",
      x: (yFirst ? second : first).name,
      y: (yFirst ? first : second).name,
      group: group?.name,
      filters,
    };
  }

  if (chart === "histogram") {
    const column = [...subjects, ...dimensions].find(isNumeric);
    if (column) {
      const bins = Math.max(5, Math.min(30, column.unique));
      return { kind: "histogram", column: column.name, bins, group: p.series?.name, filters };
    }
  }

  return aggregatePlan(p, schema, { subjects, dimensions: [...dimensions, ...versus], chart });
}
