/** A failed cell, in words: what went wrong, and the columns (and values) that do exist. */
import { editDistance } from "../similarity";
import type { CellResult } from "../../types";
import type { DataSchema } from "../data-schema";
import type { AnalysisPlan } from "../plan";
import { code, formatValue } from "./markdown";

const LIMIT_WORDS: Record<string, string> = {
  wall_clock: "took longer than the time allowed for one step",
  cpu: "used more CPU time than allowed",
  memory: "ran out of the memory allowed",
  output: "printed more output than allowed",
  disk: "wrote more data than the session may hold",
  killed: "was stopped",
};

/** The exception in one line: "ValueError: No rows match: weather is rian". */
function errorLine(result: CellResult): string {
  if (result.error) return `${result.error.name}: ${result.error.message}`.trim();
  if (result.limit) return `the code ${LIMIT_WORDS[result.limit] ?? `hit the ${result.limit} limit`}`;
  const lastLine = result.stderr.trim().split("\n").pop();
  return lastLine || "the code failed without a message";
}

/** The cell ran out of the session's memory. */
function outOfMemory(result: CellResult): boolean {
  return result.limit === "memory" || result.error?.name === "MemoryError";
}

/** What to do when a table does not fit. */
const MEMORY_ADVICE =
  "The memory each Python session may use is set by `SANDBOX_MEMORY_MB` (2048 by default); an administrator can " +
  "raise it and restart databot.";

/** Failed reading the file. */
export function loadErrorText(file: string, result: CellResult): string {
  if (outOfMemory(result)) {
    return `I couldn't read **${file}**: it does not fit in this session's memory, even read in chunks. ${MEMORY_ADVICE}`;
  }
  return [
    `I couldn't read **${file}** as a table: ${code(errorLine(result))}.`,
    "",
    "I read CSV files (any delimiter), Excel workbooks (.xlsx), JSON (a list of records) and text tables.",
    "If the file has a title block above the header or several tables in one sheet, save just the table and share it again.",
  ].join("\n");
}

function filterColumns(plan: AnalysisPlan): string[] {
  return [...new Set(plan.filters.map((f) => f.column))];
}

/** Failed running the analysis. */
export function analysisErrorText(plan: AnalysisPlan, schema: DataSchema, result: CellResult): string {
  if (outOfMemory(result)) {
    return `I couldn't answer that: the computation does not fit in this session's memory. ${MEMORY_ADVICE}`;
  }
  const lines = [`That didn't work: ${code(errorLine(result))}.`, ""];
  for (const filter of plan.filters) {
    const column = schema.columns.find((c) => c.name === filter.column);
    if (!("values" in filter) || filter.exact || !column?.values) continue;
    for (const wanted of filter.values) {
      const near = closestValue(wanted, column.values);
      if (near) lines.push(`Did you mean ${code(near)} (${code(filter.column)} has no ${code(wanted)})?`);
    }
  }
  for (const name of filterColumns(plan)) {
    const column = schema.columns.find((c) => c.name === name);
    if (column?.values) {
      const shown = column.values.slice(0, 20).map(code).join(", ");
      lines.push(`Values of ${code(name)}: ${shown}${column.values.length > 20 ? ", …" : ""}.`);
    } else if (column && column.min !== undefined && column.max !== undefined) {
      lines.push(`${code(name)} runs from ${formatValue(column.min)} to ${formatValue(column.max)}.`);
    }
  }
  lines.push(
    `Columns in **${schema.file}**: ${schema.columns.map((c) => `${code(c.name)} (${c.kind})`).join(", ")}.`,
  );
  return lines.join("\n");
}

/** The known value closest to a misspelt one, if it is close. */
function closestValue(wanted: string, values: string[]): string | undefined {
  const target = wanted.toLowerCase();
  let best: { value: string; d: number } | undefined;
  for (const value of values) {
    const d = editDistance(target, value.toLowerCase());
    if (!best || d < best.d) best = { value, d };
  }
  const allowed = target.length <= 3 ? 1 : Math.max(2, Math.floor(target.length / 3));
  return best && best.d <= allowed ? best.value : undefined;
}
