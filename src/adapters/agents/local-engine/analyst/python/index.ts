/** Python code for a plan. */
import type { DataSchema } from "../data-schema";
import type { AnalysisPlan } from "../plan";
import { mainDate } from "../data-schema";
import { aggregateCell } from "./aggregate-code";
import { correlationCell, histogramCell, scatterCell } from "./relation-code";
import { streamHistogramCell } from "./stream-code";

export { isPlainFileName, isTabularFile, loadCell, type ReadOptions } from "./load";
import { pyStrList } from "./literals";

/** Columns a plan reads. */
export function planColumns(plan: AnalysisPlan): string[] {
  const filters = plan.filters.map((f) => f.column);
  switch (plan.kind) {
    case "aggregate":
      return [
        ...plan.measures,
        ...(plan.dimension ? [plan.dimension.column] : []),
        ...(plan.series ? [plan.series] : []),
        ...filters,
      ];
    case "histogram":
      return [plan.column, ...(plan.group ? [plan.group] : []), ...filters];
    case "scatter":
      return [plan.x, plan.y, ...(plan.group ? [plan.group] : []), ...filters];
    case "correlation":
      return [...plan.columns, ...filters];
  }
}

/** The cell that runs an analysis plan against `df`, first reading any column it needs that was left for later. */
export function analysisCell(plan: AnalysisPlan, schema: DataSchema): string {
  const later = new Set(schema.reading.deferred ?? []);
  const needed = [...new Set(planColumns(plan))].filter((c) => later.has(c));
  const cell = planCell(plan, schema);
  return needed.length ? `ensure_columns(${pyStrList(needed)})\n${cell}` : cell;
}

function planCell(plan: AnalysisPlan, schema: DataSchema): string {
  switch (plan.kind) {
    case "aggregate":
      return aggregateCell(plan, schema);
    case "histogram":
      if (schema.reading.streamed) return streamHistogramCell(plan, schema, mainDate(schema)?.name);
      return histogramCell(plan, schema);
    case "scatter":
      return scatterCell(plan, schema);
    case "correlation":
      return correlationCell(plan, schema);
  }
}
