/**
 * Turns a question into a plan against a known table. Order matters: what the message is (help, "show the
 * code", "dates are day-first", a task for a model), then series ("for each …"), filters and rankings cut out,
 * the words left read as columns, connectors ("by", "over", "vs"), aggregation, chart kind, time grain and the
 * rows' own name. A follow-up changes the previous plan. Last, the gate: a word that matters and was not
 * understood turns the plan into a decline with questions that can be answered.
 */
import { type ColumnInfo, type DataSchema, measures } from "../data-schema";
import type { AnalysisPlan, Plan } from "../plan";
import { aggregatePlan } from "./aggregate-plan";
import { tokenize } from "./words";
import type { Mention } from "./columns";
import { refinePlan } from "./follow-up";
import { gate } from "./gate";
import { intentOf, isGenericRequest } from "./intents";
import {
  explicitAggregation,
  explicitChart,
  isNumeric,
  normalizeQuestion,
  type Parts,
  parts,
  roleOf,
} from "./question-parts";

export { dimensionFor } from "./aggregate-plan";
export { isGenericRequest } from "./intents";

/**
 * Reads a question against a table, as a follow-up of `previous` when it only changes it. Returns a decline
 * (with what it understood and suggestions) rather than an analysis of something else.
 */
export function parseRequest(
  question: string,
  schema: DataSchema,
  previous?: AnalysisPlan,
  suggest = true,
): Plan {
  const columnWords = new Set(schema.columns.flatMap((c) => tokenize(c.name)));
  const intent = intentOf(question, columnWords);
  if (intent) return intent;
  if (isGenericRequest(question) && !previous) return { kind: "overview" };
  const typed = question.trim();
  const text = normalizeQuestion(typed);
  const p = parts(typed, schema);
  if (isGenericRequest(question) && p.mentions.length === 0 && p.filters.length === 0)
    return { kind: "overview" };
  const refined = previous ? refinePlan(p, previous, schema) : undefined;
  const plan = refined ?? planFor(p, schema);
  const reparse = suggest ? (q: string) => parseRequest(q, schema, undefined, false) : undefined;
  return gate({ text, parts: p, schema, reparse }, plan);
}

function planFor(p: Parts, schema: DataSchema): Plan {
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
    if (numeric.length >= 2)
      return { kind: "correlation", columns: numeric.slice(0, 2).map((c) => c.name), filters };
    const columns = measures(schema)
      .slice(0, 12)
      .map((c) => c.name);
    if (columns.length < 2)
      return {
        kind: "decline",
        problems: ["a correlation needs at least two number columns"],
        suggestions: [],
      };
    return { kind: "correlation", columns, filters };
  }

  const numericPair = [...subjects, ...versus, ...dimensions].filter(isNumeric);
  if (
    chart === "scatter" ||
    (versus.length > 0 && numericPair.length >= 2 && !explicitAggregation(p.tokens, p.mentions))
  ) {
    if (numericPair.length < 2)
      return {
        kind: "decline",
        problems: ['a scatter plot needs two number columns, e.g. "scatter of A vs B"'],
        suggestions: [],
      };
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
