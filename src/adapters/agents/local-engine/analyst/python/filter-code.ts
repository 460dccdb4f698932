/** Python that keeps the rows a plan's filters select, as `data`. */
import { filtersLabel } from "../labels";
import type { Filter } from "../plan";
import { col, pyNum, pyStr, pyStrList } from "./literals";

const OPS = { eq: "==", ne: "!=", gt: ">", ge: ">=", lt: "<", le: "<=" } as const;

/** One boolean condition over the rows of `frame`. */
function conditionCode(filter: Filter, frame = "df"): string {
  const column = col(frame, filter.column);
  if ("values" in filter) {
    const negate = filter.op === "ne" ? "~" : "";
    if (filter.exact && filter.values.length === 1)
      return `${column} ${OPS[filter.op]} ${pyStr(filter.values[0] as string)}`;
    if (filter.exact) return `${negate}${column}.isin(${pyStrList(filter.values)})`;
    // Values not seen in the profile: compare without regard to case.
    const wanted = filter.values.map((v) => v.toLowerCase());
    if (wanted.length === 1)
      return `${column}.astype(str).str.casefold() ${OPS[filter.op]} ${pyStr(wanted[0] as string)}`;
    return `${negate}${column}.astype(str).str.casefold().isin(${pyStrList(wanted)})`;
  }
  if ("number" in filter) return `${column} ${OPS[filter.op]} ${pyNum(filter.number)}`;
  if ("year" in filter) {
    if (filter.month) {
      const period = `${filter.year}-${String(filter.month).padStart(2, "0")}`;
      return `${column}.dt.strftime("%Y-%m") ${OPS[filter.op]} ${pyStr(period)}`;
    }
    return `${column}.dt.year ${OPS[filter.op]} ${pyNum(filter.year)}`;
  }
  if ("date" in filter) return `${column} ${OPS[filter.op]} ${pyStr(filter.date)}`;
  return `${column}.astype(str).str.contains(${pyStr(filter.text)}, case=False, regex=False)`;
}

/** The table an analysis works on: the source frame itself, or `data`, the rows the filters keep. */
export interface Selection {
  frame: string;
  lines: string[];
}

/** The condition selecting the filtered rows of `frame`, or undefined without filters. */
export function maskCode(filters: Filter[], frame: string): string | undefined {
  if (filters.length === 0) return undefined;
  if (filters.length === 1) return conditionCode(filters[0] as Filter, frame);
  return filters.map((f) => `(${conditionCode(f, frame)})`).join(" & ");
}

/** Lines that set `data` to the filtered rows of `source` (stopping with a clear error when none match). */
export function selectRows(filters: Filter[], source = "df"): Selection {
  const mask = maskCode(filters, source);
  if (!mask) return { frame: source, lines: [] };
  return {
    frame: "data",
    lines: [
      `data = ${source}[${mask}]`,
      "if data.empty:",
      `    raise ValueError(${pyStr(`No rows match: ${filtersLabel(filters)}`)})`,
      "",
    ],
  };
}
