/**
 * The chart an overview starts with: a time series when there are dates and a measure, else the main measure by
 * the main category, else a histogram, else counts per category.
 */
import { type DataSchema, isAdditive, isYearLike, mainCategory, mainDate, mainMeasure } from "./data-schema";
import { dimensionFor } from "./parse/parse-request";
import type { AnalysisPlan } from "./plan";

export function firstChartPlan(schema: DataSchema): AnalysisPlan | undefined {
  const time = mainDate(schema) ?? schema.columns.find(isYearLike);
  const measure = mainMeasure(schema);
  const category = mainCategory(schema);
  const aggregation = measure ? (isAdditive(measure) ? "sum" : "mean") : "count";
  const measures = measure ? [measure.name] : [];
  if (time && (measure || !category)) {
    // Several rows per date (one per symbol, per region): one line per category instead of a blend.
    const repeated = time.unique < schema.rows - time.missing;
    const series = repeated && category && category.unique <= 12 ? category.name : undefined;
    return {
      kind: "aggregate",
      measures,
      aggregation,
      dimension: dimensionFor(time),
      series,
      chart: "line",
      filters: [],
    };
  }
  if (category) {
    return {
      kind: "aggregate",
      measures,
      aggregation,
      dimension: { type: "category", column: category.name },
      chart: "bar",
      filters: [],
    };
  }
  if (measure)
    return {
      kind: "histogram",
      column: measure.name,
      bins: Math.max(5, Math.min(30, measure.unique)),
      filters: [],
    };
  return undefined;
}
