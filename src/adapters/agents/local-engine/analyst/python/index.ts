/** Python code for a plan. */
import type { DataSchema } from "../data-schema";
import type { AnalysisPlan } from "../plan";
import { aggregateCell } from "./aggregate-code";
import { correlationCell, histogramCell, scatterCell } from "./relation-code";

export { DATA_DIR, isPlainFileName, isTabularFile, loadCell } from "./load";
export { pyStr } from "./literals";

/** The cell that runs an analysis plan against `df`. */
export function analysisCell(plan: AnalysisPlan, schema: DataSchema): string {
  switch (plan.kind) {
    case "aggregate":
      return aggregateCell(plan, schema);
    case "histogram":
      return histogramCell(plan);
    case "scatter":
      return scatterCell(plan, schema);
    case "correlation":
      return correlationCell(plan, schema);
  }
}
