/**
 * Python for a table too big to hold: one pass over `source.chunks()` per question, keeping per group only
 * what combines exactly — sums, counts, minima, maxima, the number of rows — so the result is the same as on
 * the whole table. What does not combine that way (medians, distinct counts, scatter plots, correlations) is
 * declined before any code runs.
 */
import type { DataSchema } from "../data-schema";
import { filtersLabel } from "../labels";
import type { AggregatePlan, AnalysisPlan, Dimension, HistogramPlan } from "../plan";
import { groupKey, rowLabels, type Context } from "./aggregate-code";
import { BIN_HELPERS } from "./bins";
import { maskCode } from "./filter-code";
import { col, pyNum, pyStr } from "./literals";
import { PRINT_SCOPE } from "./scope-code";

const COMBINABLE = new Set(["sum", "count", "mean", "min", "max"]);

/** Whether an analysis can be computed chunk by chunk. */
export function streamable(plan: AnalysisPlan): boolean {
  if (plan.kind === "histogram") return plan.group === undefined;
  if (plan.kind !== "aggregate") return false;
  if (plan.measures.length > 1) return false;
  return COMBINABLE.has(plan.aggregation);
}

function keysOf(dimension: Dimension, series: string | undefined): string {
  const key = groupKey(dimension);
  return series ? `[${key}, ${pyStr(series)}]` : key;
}

/** The pass over the chunks: filters, the scope, and per chunk what the plan needs. */
export function streamScanLines(
  plan: AggregatePlan | HistogramPlan,
  schema: DataSchema,
  span: string | undefined,
): string[] {
  const measure = plan.kind === "aggregate" ? plan.measures[0] : plan.column;
  const lines: string[] = [
    "# The table is too big to hold: read it chunk by chunk, keeping only what adds up exactly.",
    'scope = {"rows": 0}',
    "lows, highs, missing, parts, ranked_rows = [], [], 0, [], 0",
  ];
  const binned = plan.kind === "aggregate" && plan.dimension?.type === "binned" ? plan.dimension : undefined;
  if (binned || plan.kind === "histogram") {
    const column = plan.kind === "histogram" ? plan.column : (binned as Dimension).column;
    const bins = plan.kind === "histogram" ? plan.bins : (binned as { bins: number }).bins;
    const profile = schema.columns.find((c) => c.name === column);
    lines.push(
      ...BIN_HELPERS,
      `edges = nice_edges(pd.Series([${pyNum(Number(profile?.min ?? 0))}, ${pyNum(Number(profile?.max ?? 1))}]), ${pyNum(bins)})`,
    );
  }
  if (plan.kind === "histogram")
    lines.push("counts = np.zeros(len(edges) - 1, dtype=np.int64)", "total = squares = 0.0");
  lines.push("for chunk in source.chunks():");
  const mask = maskCode(plan.filters, "chunk");
  lines.push(mask ? `    data = chunk[${mask}]` : "    data = chunk");
  lines.push('    scope["rows"] += len(data)');
  if (span)
    lines.push(`    lows.append(${col("data", span)}.min())`, `    highs.append(${col("data", span)}.max())`);
  if (measure) lines.push(`    missing += int(${col("data", measure)}.isna().sum())`);
  if (plan.kind === "histogram") {
    lines.push(
      `    values = ${col("data", plan.column)}.dropna()`,
      "    counts += np.histogram(values, bins=edges)[0]",
      "    total += float(values.sum())",
      "    squares += float((values.astype(float) ** 2).sum())",
      '    parts.append(values.agg(["count", "min", "max"]))',
    );
  } else if (plan.rank?.rows) {
    const label = plan.dimension?.column;
    const pick = plan.rank.order === "largest" ? "nlargest" : "nsmallest";
    const keep = label
      ? `[[${pyStr(label)}, ${pyStr(measure as string)}]]`
      : `[[${pyStr(measure as string)}]]`;
    lines.push(
      `    ranked = data.dropna(subset=[${pyStr(measure as string)}])`,
      `    parts.append(ranked.${pick}(${pyNum(plan.rank.n)}, ${pyStr(measure as string)}, keep="all")${keep})`,
      "    ranked_rows += len(ranked)",
    );
  } else if (plan.dimension) {
    if (binned) lines.push(`    ranges = pd.cut(${col("data", binned.column)}, bins=edges, right=False)`);
    const grouped = `data.groupby(${keysOf(plan.dimension, plan.series)}, observed=True)`;
    lines.push(
      `    groups = ${grouped}`,
      measure
        ? `    part = groups[${pyStr(measure)}].agg(["sum", "count", "min", "max"])`
        : '    part = groups.size().to_frame("count")',
      '    part["rows"] = groups.size()',
      "    parts.append(part)",
    );
  } else if (measure) {
    lines.push(`    parts.append(${col("data", measure)}.agg(["sum", "count", "min", "max"]))`);
  }
  const none = plan.filters.length ? `No rows match: ${filtersLabel(plan.filters)}` : "The table has no rows";
  lines.push('if scope["rows"] == 0:', `    raise ValueError(${pyStr(none)})`);
  if (span) {
    lines.push(
      "present = [v for v in lows if pd.notna(v)], [v for v in highs if pd.notna(v)]",
      'scope["from"], scope["to"] = (min(present[0]), max(present[1])) if present[0] else (None, None)',
    );
  }
  if (measure) lines.push(`scope["missing"] = {${pyStr(measure)}: missing}`);
  return lines;
}

const TOTALS: Record<string, string> = {
  mean: 'totals["sum"] / totals["count"]',
  sum: 'totals["sum"]',
  count: 'totals["count"]',
  min: 'totals["min"]',
  max: 'totals["max"]',
};

/** After the pass: one value for all rows. */
export function streamValueLines(plan: AggregatePlan): string[] {
  if (plan.measures.length === 0)
    return ['value = scope["rows"]', PRINT_SCOPE, 'print(json.dumps({"value": float(value)}))'];
  return [
    'totals = pd.concat(parts, axis=1).T.agg({"sum": "sum", "count": "sum", "min": "min", "max": "max"})',
    `value = ${TOTALS[plan.aggregation]}`,
    PRINT_SCOPE,
    'print(json.dumps({"value": float(value)}))',
  ];
}

/** After the pass: the groups' partial results combined, and the aggregate of each group. */
export function streamGroupLines(ctx: Context): string[] {
  const { plan } = ctx;
  const dimension = plan.dimension as Dimension;
  const levels = plan.series ? "[0, 1]" : "0";
  const what: Record<string, string> = plan.measures.length
    ? { sum: '"sum"', count: '"sum"', min: '"min"', max: '"max"', rows: '"sum"' }
    : { count: '"sum"', rows: '"sum"' };
  const agg = Object.entries(what)
    .map(([k, v]) => `${pyStr(k)}: ${v}`)
    .join(", ");
  const value =
    plan.measures.length === 0
      ? 'combined["count"]'
      : {
          mean: 'combined["sum"] / combined["count"]',
          sum: 'combined["sum"]',
          count: 'combined["count"]',
          min: 'combined["min"]',
          max: 'combined["max"]',
        }[plan.aggregation as "mean" | "sum" | "count" | "min" | "max"];
  const name = plan.measures.length ? pyStr(plan.measures[0] as string) : "None";
  const lines = [
    `combined = pd.concat(parts).groupby(level=${levels}).agg({${agg}})`,
    `result = (${value}).rename(${name})`,
  ];
  if (plan.series) lines.push(`result = result.unstack(${pyStr(plan.series)}).sort_index(axis=1)`);
  if (dimension.type === "binned") {
    lines.push(
      'result = result.reindex(pd.IntervalIndex.from_breaks(edges, closed="left"))',
      "result.index = range_labels(edges)",
    );
  }
  return lines;
}

/** After the pass: the best rows of every chunk, ranked again. */
export function streamRowRankLines(ctx: Context): string[] {
  const { plan } = ctx;
  const rank = plan.rank as NonNullable<AggregatePlan["rank"]>;
  const measure = plan.measures[0] as string;
  const label = plan.dimension?.column;
  const pick = rank.order === "largest" ? "nlargest" : "nsmallest";
  return [
    'scope["groups"] = int(ranked_rows)',
    `top = pd.concat(parts).${pick}(${pyNum(rank.n)}, ${pyStr(measure)}, keep="all")`,
    `if len(top) > ${pyNum(rank.n)}:`,
    `    cut = top[${pyStr(measure)}].iloc[-1]`,
    `    scope["ties"] = {"value": cut, "labels": [str(v) for v in top.loc[top[${pyStr(measure)}] == cut, ${label ? pyStr(label) : "top.index"}]], "places": ${pyNum(rank.n)}}`,
    label
      ? `result = pd.Series(top[${pyStr(measure)}].to_numpy(), index=${rowLabels(ctx.schema, label)}, name=${pyStr(measure)})`
      : `result = pd.Series(top[${pyStr(measure)}].to_numpy(), index=[f"row {i + 1}" for i in top.index], name=${pyStr(measure)})`,
  ];
}

/** The histogram of a streamed column: counts over round edges, and the statistics that add up. */
export function streamHistogramCell(
  plan: HistogramPlan,
  schema: DataSchema,
  span: string | undefined,
): string {
  return [
    ...streamScanLines(plan, schema, span),
    "stats = pd.concat(parts, axis=1).T",
    'n = float(stats["count"].sum())',
    "summary = {",
    '    "count": n,',
    '    "mean": total / n if n else None,',
    '    "std": float(np.sqrt(max(0.0, (squares - total * total / n) / (n - 1)))) if n > 1 else None,',
    '    "min": float(stats["min"].min()) if n else None,',
    '    "max": float(stats["max"].max()) if n else None,',
    "}",
    "",
    "fig, ax = plt.subplots(figsize=(10, 6), dpi=100)",
    'ax.hist(edges[:-1], bins=edges, weights=counts, color="#4C72B0", edgecolor="white")',
    "ax.set_xlim(edges[0], edges[-1])",
    `ax.set_title(${pyStr(`Distribution of ${plan.column}`)})`,
    `ax.set_xlabel(${pyStr(plan.column)})`,
    'ax.set_ylabel("Number of rows")',
    'ax.grid(axis="y", alpha=0.3)',
    "fig.tight_layout()",
    "",
    PRINT_SCOPE,
    "print(json.dumps(summary))",
  ].join("\n");
}
