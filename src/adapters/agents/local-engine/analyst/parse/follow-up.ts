/**
 * Follow-ups that change the last analysis instead of naming columns again: "as a pie chart", "now by week",
 * "only where weather is rain", "same for 2013", "top 3 only".
 */
import type { DataSchema } from "../data-schema";
import type { AnalysisPlan } from "../plan";
import { dimensionFor } from "./aggregate-plan";
import { explicitAggregation, explicitChart, parts, strayWords } from "./question-parts";

/** The last plan changed by the question, or undefined when the question is not such a follow-up. */
export function refinePlan(
  question: string,
  previous: AnalysisPlan,
  schema: DataSchema,
): AnalysisPlan | undefined {
  const p = parts(question, schema);
  // Naming a column, an aggregation or anything else than a change starts a new analysis.
  if (p.mentions.length > 0 || p.problems.length > 0 || explicitAggregation(p.tokens, p.mentions))
    return undefined;
  if (strayWords(p.tokens, p.mentions).length > 0) return undefined;
  const chart = explicitChart(p.text);
  if (chart === "histogram" || chart === "scatter" || chart === "correlation") return undefined;
  if (!chart && p.filters.length === 0 && !p.grain && !p.rank) return undefined;
  const filters = p.filters.length ? p.filters : previous.filters;
  if (previous.kind !== "aggregate") {
    return p.filters.length ? { ...previous, filters, ignored: undefined } : undefined;
  }
  const next = { ...previous, filters, ignored: undefined };
  if (chart === "table") next.chart = "none";
  else if (chart === "line" || chart === "bar" || chart === "pie" || chart === "area") {
    if (!next.dimension) return undefined;
    next.chart = chart;
    if (chart === "pie") next.series = undefined;
  }
  if (p.grain) {
    const date = schema.columns.find((c) => c.name === previous.dimension?.column && c.kind === "date");
    if (!date) return undefined;
    next.dimension = dimensionFor(date, p.grain);
  }
  if (p.rank) {
    next.rank = p.rank;
    // A ranking is read as bars, not as a line through unordered points.
    if (!chart && (next.chart === "line" || next.chart === "area")) next.chart = "bar";
  }
  return next;
}
