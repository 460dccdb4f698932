/**
 * Python that reports what an analysis covered, printed as one "Scope:" line before its result: the rows used,
 * the span of dates they cover, values missing from the measures, and what a ranking or a chart left aside.
 * The answer's "Computed:" line is written from it, so every figure there is one the cell really saw.
 */
import { col, pyStr } from "./literals";

export interface ScopeInputs {
  /** The frame of rows used. */
  frame: string;
  /** A date (or year) column whose first and last value bound the rows. */
  span?: string;
  /** Columns whose missing values were left out. */
  measures: string[];
}

/** Lines that start the `scope` dict. */
export function scopeLines({ frame, span, measures }: ScopeInputs): string[] {
  const lines = [`scope = {"rows": int(len(${frame}))}`];
  if (span) {
    lines.push(`scope["from"], scope["to"] = ${col(frame, span)}.min(), ${col(frame, span)}.max()`);
  }
  if (measures.length) {
    const missing = measures.map((m) => `${pyStr(m)}: int(${col(frame, m)}.isna().sum())`).join(", ");
    lines.push(`scope["missing"] = {${missing}}`);
  }
  return lines;
}

export const PRINT_SCOPE = 'print("Scope: " + json.dumps(scope, default=plain))';
