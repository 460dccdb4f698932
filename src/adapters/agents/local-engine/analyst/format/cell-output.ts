/** Reads what an analysis cell printed: a "Scope: {…}" line and one JSON line at the end. */

/** What the cell reported about the rows and groups it used (see scope-code.ts). */
export interface Scope {
  rows?: number;
  /** First and last date of the rows used. */
  from?: string;
  to?: string;
  /** Rows without a value, per measure. */
  missing?: Record<string, number>;
  /** Groups (or rows, for a ranking of rows) before a ranking or folding kept some. */
  groups?: number;
  /** Groups tied at the cut-off of a ranking, all of them shown. */
  ties?: { value: number; labels: string[]; places: number };
  /** Groups tied for first place in a "which … highest" ranking. */
  first_ties?: string[];
  /** Groups (or names) shown that gather several rows. */
  repeats?: number;
  /** Groups folded into "Other". */
  folded?: number;
  /** Series before the largest were kept. */
  series?: number;
  /** Groups left out for having fewer rows than asked. */
  small_groups?: number;
  /** Groups at zero or below, left out of a pie. */
  not_in_pie?: number;
}

export interface CellOutput {
  scope: Scope;
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
  const scopeLine = [...lines].reverse().find((l) => l.startsWith("Scope: "));
  const scope = scopeLine ? (parseLenient(scopeLine.slice("Scope: ".length)) as Scope) : {};
  return { scope, json: parseLenient(last) };
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
