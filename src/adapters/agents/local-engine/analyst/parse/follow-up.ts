/**
 * Follow-ups change the last analysis instead of naming everything again: "now only 2014" (a filter, which
 * replaces one on the same column and joins the others), "as a bar chart", "by year instead", "only rain
 * between 2013 and 2014", "what about wind", "top 3 only", "average instead", "for all years".
 */
import { type ColumnInfo, type DataSchema, columnByName, isAdditive, mainDate } from "../data-schema";
import type { AggregatePlan, AnalysisPlan, Filter } from "../plan";
import type { Mention } from "./columns";
import { dimensionFor } from "./aggregate-plan";
import { explicitAggregation, explicitChart, isNumeric, type Parts, roleOf } from "./question-parts";

/** Words that mark a message as a change to the last answer. */
/** How a message that names another number asks for it instead of the last one. */
const SWAP =
  /^(?:;\s*)?(?:what about|how about|and what about|same for|the same for|now|and|also|then|but)\b|\binstead\b/;
const CLEAR_FILTERS =
  /\b(?:without (?:the |any )?filters?|no filters?|remove (?:the |all )?filters?|all (?:the )?(?:rows|data))\b/;
const ALL_TIME = /\b(?:all|every) (?:years?|dates?|months?|time)\b|\bwhole (?:period|time)\b/;

/** New filters replace the old ones on the same column; the rest stay. */
function mergeFilters(previous: Filter[], added: Filter[]): Filter[] {
  const columns = new Set(added.map((f) => f.column));
  return [...previous.filter((f) => !columns.has(f.column)), ...added];
}

function pick(m: Mention, prefer: (c: ColumnInfo) => boolean): ColumnInfo {
  return m.columns.find(prefer) ?? (m.columns[0] as ColumnInfo);
}

/**
 * The last plan changed by the question, or undefined when the question is not such a follow-up (it names
 * what to compute on its own, or asks for a kind of analysis of its own).
 */
export function refinePlan(p: Parts, previous: AnalysisPlan, schema: DataSchema): AnalysisPlan | undefined {
  const chart = explicitChart(p.text);
  if (chart === "histogram" || chart === "scatter" || chart === "correlation") return undefined;
  const roles: { role: string; mention: Mention }[] = [];
  for (const mention of p.mentions)
    roles.push({ role: roleOf(p.tokens, mention, roles[roles.length - 1]), mention });
  const subjects = roles.filter((r) => r.role === "subject").map((r) => pick(r.mention, isNumeric));
  const dimensions = roles
    .filter((r) => r.role === "dimension")
    .map((r) => pick(r.mention, (c) => !isNumeric(c)));
  const aggregation = explicitAggregation(p.tokens, p.mentions);
  // "average wind by month" is a question of its own; "what about wind", "now wind", "wind instead" are not.
  const swapsMeasure = SWAP.test(p.text.trim());
  if (subjects.length > 0 && (dimensions.length > 0 || p.grain || p.rank || !swapsMeasure)) return undefined;
  // "top 6 days by wind": the number after "by" is what is ranked, a question of its own.
  if (p.rank && dimensions.some(isNumeric)) return undefined;
  if (subjects.some((s) => !isNumeric(s))) return undefined;
  const changes =
    p.filters.length +
    subjects.length +
    dimensions.length +
    (chart ? 1 : 0) +
    (p.grain ? 1 : 0) +
    (p.rank ? 1 : 0) +
    (aggregation ? 1 : 0) +
    (p.minCount !== undefined ? 1 : 0) +
    (CLEAR_FILTERS.test(p.text) || ALL_TIME.test(p.text) ? 1 : 0);
  if (changes === 0) return undefined;

  let filters = previous.filters;
  if (CLEAR_FILTERS.test(p.text)) filters = [];
  if (ALL_TIME.test(p.text))
    filters = filters.filter((f) => columnByName(schema, f.column)?.kind !== "date" && !("year" in f));
  filters = mergeFilters(filters, p.filters);
  if (previous.kind !== "aggregate") {
    if (subjects.length || dimensions.length || chart || p.grain || p.rank || aggregation) return undefined;
    return { ...previous, filters };
  }
  const next: AggregatePlan = { ...previous, filters };
  if (subjects.length) {
    next.measures = subjects.map((s) => s.name);
    if (!aggregation && next.aggregation !== "count")
      next.aggregation = isAdditive(subjects[0] as ColumnInfo) ? "sum" : "mean";
    if (next.rank?.rows) next.rank = { ...next.rank };
  }
  if (aggregation) {
    if (aggregation === "count") next.measures = [];
    else if (next.measures.length === 0) return undefined;
    next.aggregation = aggregation;
  }
  if (dimensions.length) {
    const dimension = dimensions[0] as ColumnInfo;
    next.dimension = dimensionFor(dimension, dimension.kind === "date" ? p.grain : undefined, true);
    if (next.series === dimension.name) next.series = undefined;
    if (next.rank?.rows) next.rank = { ...next.rank, rows: false };
  } else if (p.grain) {
    const current = next.dimension && columnByName(schema, next.dimension.column);
    const date = current?.kind === "date" ? current : mainDate(schema);
    if (!date) return undefined;
    if (current && current.kind !== "date" && !next.series) next.series = current.name;
    next.dimension = dimensionFor(date, p.grain);
  }
  if (chart === "table") next.chart = "none";
  else if (chart === "line" || chart === "bar" || chart === "pie" || chart === "area") {
    if (!next.dimension) return undefined;
    next.chart = chart;
    if (chart === "pie") next.series = undefined;
  }
  if (p.rank) {
    next.rank = { ...p.rank, rows: previous.rank?.rows && !dimensions.length ? true : undefined };
    // A ranking is read as bars, not as a line through unordered points.
    if (!chart && (next.chart === "line" || next.chart === "area")) next.chart = "bar";
  }
  if (p.minCount !== undefined) next.minCount = p.minCount;
  // One value of the series left: a single line needs no legend; several values picked: one line each.
  for (const f of p.filters) {
    if (!("values" in f) || f.op !== "eq") continue;
    if (next.series === f.column && f.values.length === 1) next.series = undefined;
    else if (
      !next.series &&
      f.values.length > 1 &&
      next.dimension &&
      next.dimension.column !== f.column &&
      next.chart !== "pie"
    )
      next.series = f.column;
  }
  return next;
}
