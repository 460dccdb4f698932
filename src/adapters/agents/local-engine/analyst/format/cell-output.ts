/** Reads what an analysis cell printed: an optional "Rows used: N" line and one JSON line at the end. */

export interface CellOutput {
  rowsUsed?: number;
  json: unknown;
}

/** pandas' `to_json` is strict, but `json.dumps` writes NaN and Infinity, which JSON has no words for. */
function parseLenient(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return JSON.parse(line.replace(/(?<!")\b(?:NaN|-?Infinity)\b(?!")/g, "null"));
  }
}

/** Throws when the cell printed no JSON line (the answer would have nothing real to say). */
export function parseCellOutput(stdout: string): CellOutput {
  const lines = stdout.split("\n").map((l) => l.trim());
  const last = [...lines].reverse().find((l) => l.startsWith("{") || l.startsWith("["));
  if (last === undefined) throw new Error("the cell printed no result");
  const rows = lines.map((l) => /^Rows used: (\d+)$/.exec(l)).find(Boolean);
  return { rowsUsed: rows ? Number(rows[1]) : undefined, json: parseLenient(last) };
}

/** A pandas Series printed with `to_json(orient="split")`. */
export interface SplitSeries {
  name: string | null;
  index: unknown[];
  data: unknown[];
}

/** A pandas DataFrame printed with `to_json(orient="split")`. */
export interface SplitFrame {
  columns: unknown[];
  index: unknown[];
  data: unknown[][];
}

export function isSplitFrame(value: unknown): value is SplitFrame {
  const v = value as SplitFrame;
  return (
    typeof v === "object" &&
    v !== null &&
    Array.isArray(v.columns) &&
    Array.isArray(v.index) &&
    Array.isArray(v.data)
  );
}

export function isSplitSeries(value: unknown): value is SplitSeries {
  const v = value as SplitSeries;
  return (
    typeof v === "object" &&
    v !== null &&
    !("columns" in v) &&
    Array.isArray(v.index) &&
    Array.isArray(v.data)
  );
}

/** A JSON object of numbers, e.g. `Series.describe().to_json()`. */
export function numberRecord(value: unknown): Record<string, number | null> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new Error("expected an object");
  return value as Record<string, number | null>;
}
