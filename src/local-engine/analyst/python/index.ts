/** Python code for a plan. */
import type { DataSchema } from "../data-schema";
import type { AnalysisPlan } from "../plan";
import { mainDate } from "../data-schema";
import { aggregateCell } from "./aggregate-code";
import { correlationCell, histogramCell, scatterCell } from "./relation-code";
import { streamHistogramCell } from "./stream-code";

export { DATA_DIR, isPlainFileName, isTabularFile, loadCell, type ReadOptions } from "./load";
export { pyStr } from "./literals";

/** The cell that runs an analysis plan against `df`. */
export function analysisCell(plan: AnalysisPlan, schema: DataSchema): string {
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
