/**
 * Python for "<aggregation> of <measure> by <dimension> [for each <series>]": select the rows, group them, keep
 * the groups a condition or a ranking asks for (with ties at the cut-off), fold a long tail into "Other", report
 * the scope, draw the chart and print the table.
 */
import { type DataSchema, columnByName, mainDate } from "../data-schema";
import type { AggregatePlan, Dimension } from "../plan";
import { chartChoice, chartLines, expectedGroups, horizontal, LIMITS } from "./aggregate-chart";
import { BIN_HELPERS } from "./bins";
import { selectRows } from "./filter-code";
import { col, pyNum, pyStr, pyStrList } from "./literals";
import { PRINT_SCOPE, scopeLines } from "./scope-code";
import { streamGroupLines, streamRowRankLines, streamScanLines, streamValueLines } from "./stream-code";

const FREQUENCIES = { day: "D", week: "W-MON", month: "MS", quarter: "QS", year: "YS" } as const;

/** What the generated code works with. */
export interface Context {
  plan: AggregatePlan;
  schema: DataSchema;
  /** The frame holding the rows used (in memory), or none when the table is read chunk by chunk. */
  frame: string;
  /** One column per series or measure (a DataFrame), not a single Series. */
  wide: boolean;
  /** Chunk by chunk: group sums, counts, minima and maxima are in `combined`, not rows in a frame. */
  streamed: boolean;
}

export function groupKey(dimension: Dimension): string {
  if (dimension.type === "date" && dimension.grain === "week") {
    // Weeks are labelled by the Monday they start on.
    return `pd.Grouper(key=${pyStr(dimension.column)}, freq="W-MON", label="left", closed="left")`;
  }
  if (dimension.type === "date" && dimension.grain) {
    return `pd.Grouper(key=${pyStr(dimension.column)}, freq=${pyStr(FREQUENCIES[dimension.grain])})`;
  }
  if (dimension.type === "binned") return "ranges";
  return pyStr(dimension.column);
}

/** `["revenue"].sum()`, `[["a", "b"]].mean()`; counting rows is `.size()`. */
function aggregateCall(plan: AggregatePlan): string {
  if (plan.measures.length === 0) return ".size()";
  const selection = plan.measures.length === 1 ? pyStr(plan.measures[0] as string) : pyStrList(plan.measures);
  return `[${selection}].${plan.aggregation}()`;
}

/** The same aggregation over the rest of the groups: the value of an "Other" bar. */
function otherLines(ctx: Context, limit: number): string[] {
  const { plan, frame, streamed } = ctx;
  const dimension = plan.dimension as Dimension;
  if (streamed) {
    return [
      `    rest = ~combined.index.isin(result.index[:${limit - 1}])`,
      `    other = ${streamedOther(plan, "combined[rest]")}`,
    ];
  }
  const value =
    plan.measures.length === 0
      ? "int(rest.sum())"
      : `${frame}.loc[rest, ${pyStr(plan.measures[0] as string)}].${plan.aggregation}()`;
  // Rows without a value for the dimension belong to no group, so not to "Other" either.
  const column = col(frame, dimension.column);
  return [
    `    rest = ${column}.notna() & ~${column}.isin(result.index[:${limit - 1}])`,
    `    other = ${value}`,
  ];
}

/** An aggregate of groups from their sums, counts, minima and maxima. */
function streamedOther(plan: AggregatePlan, parts: string): string {
  if (plan.measures.length === 0) return `int(${parts}["count"].sum())`;
  switch (plan.aggregation) {
    case "mean":
      return `${parts}["sum"].sum() / ${parts}["count"].sum()`;
    case "min":
      return `${parts}["min"].min()`;
    case "max":
      return `${parts}["max"].max()`;
    case "count":
      return `int(${parts}["count"].sum())`;
    default:
      return `${parts}["sum"].sum()`;
  }
}

/** Rows per group: for a condition on group sizes and for saying which names gather several rows. */
function sizesExpr(ctx: Context, key: string): string {
  return ctx.streamed ? 'combined["rows"]' : `${ctx.frame}.groupby(${key}, observed=True).size()`;
}

/** The column whose first and last date bound the rows: the one on the x-axis, else one filtered on, else the main one. */
function spanColumn(
  plan: { filters: AggregatePlan["filters"]; dimension?: Dimension },
  schema: DataSchema,
): string | undefined {
  if (plan.dimension?.type === "date") return plan.dimension.column;
  const filtered = plan.filters.find((f) => columnByName(schema, f.column)?.kind === "date");
  return filtered?.column ?? mainDate(schema)?.name;
}

/** Python that computes `result` (a Series, or a DataFrame with one column per series or measure). */
function groupLines(ctx: Context): string[] {
  if (ctx.streamed) return [...streamGroupLines(ctx), ...minCountLines(ctx, "combined")];
  const { plan, frame } = ctx;
  const dimension = plan.dimension as Dimension;
  const lines: string[] = [];
  const seriesKey = plan.series ? pyStr(plan.series) : undefined;
  if (dimension.type === "binned") {
    lines.push(
      ...BIN_HELPERS,
      `edges = nice_edges(${col(frame, dimension.column)}.dropna(), ${pyNum(dimension.bins)})`,
      `ranges = pd.cut(${col(frame, dimension.column)}, bins=edges, right=False)`,
    );
    if (seriesKey) {
      lines.push(
        `result = ${frame}.groupby([ranges, ${seriesKey}], observed=True)${aggregateCall(plan)}.unstack(${seriesKey}).sort_index(axis=1)`,
        "result = result.reindex(ranges.cat.categories)",
      );
    } else {
      // Empty ranges stay, so the axis shows the whole spread.
      lines.push(`result = ${frame}.groupby(ranges, observed=False)${aggregateCall(plan)}`);
    }
    lines.push("result.index = range_labels(edges)");
    return lines;
  }
  const key = groupKey(dimension);
  if (seriesKey) {
    lines.push(
      `result = ${frame}.groupby([${key}, ${seriesKey}], observed=True)${aggregateCall(plan)}.unstack(${seriesKey}).sort_index(axis=1)`,
    );
  } else {
    lines.push(`result = ${frame}.groupby(${key}, observed=True)${aggregateCall(plan)}`);
  }
  return [...lines, ...minCountLines(ctx, key)];
}

/** "with at least 50 movies": groups with fewer rows are left out (and counted). */
function minCountLines(ctx: Context, key: string): string[] {
  const { minCount } = ctx.plan;
  if (minCount === undefined || ctx.wide) return [];
  return [
    `sizes = ${sizesExpr(ctx, key)}`,
    `scope["small_groups"] = int((sizes < ${pyNum(minCount)}).sum())`,
    `result = result[sizes.reindex(result.index) >= ${pyNum(minCount)}]`,
  ];
}

/** Python that keeps the first n of a ranking, and every group tied with the last of them. */
function rankLines(ctx: Context): string[] {
  const { plan, wide } = ctx;
  const rank = plan.rank as NonNullable<AggregatePlan["rank"]>;
  const ascending = rank.order === "smallest" ? "True" : "False";
  const totals = wide ? "result.sum(axis=1)" : "result";
  const lines = [
    `scope["groups"] = int(len(result))`,
    // Ties in name order, whichever order the groups came in.
    `ordered = ${totals}.dropna().sort_index().sort_values(ascending=${ascending}, kind="stable")`,
  ];
  if (rank.which) {
    lines.push(
      `scope["first_ties"] = [str(k) for k in ordered.index[ordered == ordered.iloc[0]]] if len(ordered) else []`,
      `keep = ordered.index[:${pyNum(rank.n)}]`,
    );
  } else {
    const cmp = rank.order === "smallest" ? "<=" : ">=";
    lines.push(
      `cut = ordered.iloc[min(${pyNum(rank.n)}, len(ordered)) - 1] if len(ordered) else None`,
      `keep = ordered.index[ordered ${cmp} cut] if cut is not None else ordered.index`,
      `if len(keep) > ${pyNum(rank.n)}:`,
      `    scope["ties"] = {"value": cut, "labels": [str(k) for k in ordered.index[ordered == cut]], "places": ${pyNum(rank.n)}}`,
    );
  }
  lines.push("result = result.loc[keep]");
  const column = plan.dimension ? columnByName(ctx.schema, plan.dimension.column) : undefined;
  if (plan.dimension?.type === "category" && !wide && column && column.unique >= 0.5 * ctx.schema.rows) {
    // Groups that gather several rows under one name: say so, since a name may stand for several things.
    lines.push(
      `counts = ${sizesExpr(ctx, pyStr(plan.dimension.column))}`,
      `scope["repeats"] = int((counts.reindex(result.index) > 1).sum())`,
    );
  }
  return lines;
}

/** Python for the labels of ranked rows in `top`: names as text, dates as dates. */
export function rowLabels(schema: DataSchema, label: string): string {
  const date = columnByName(schema, label)?.kind === "date";
  return date
    ? `top[${pyStr(label)}].dt.strftime("%Y-%m-%d").to_numpy()`
    : `top[${pyStr(label)}].astype(str).to_numpy()`;
}

/** "top 5 cars by horsepower": the rows themselves, labelled by the name column, ties at the cut-off included. */
function rowRankLines(ctx: Context): string[] {
  const { plan, frame } = ctx;
  const rank = plan.rank as NonNullable<AggregatePlan["rank"]>;
  const measure = plan.measures[0] as string;
  const label = plan.dimension?.column;
  const pick = rank.order === "largest" ? "nlargest" : "nsmallest";
  const lines = [
    `ranked = ${frame}.dropna(subset=[${pyStr(measure)}])`,
    `scope["groups"] = int(len(ranked))`,
    `top = ranked.${pick}(${pyNum(rank.n)}, ${pyStr(measure)}, keep="all")`,
    `if len(top) > ${pyNum(rank.n)}:`,
    `    cut = top[${pyStr(measure)}].iloc[-1]`,
    `    scope["ties"] = {"value": cut, "labels": [str(v) for v in top.loc[top[${pyStr(measure)}] == cut, ${label ? pyStr(label) : "top.index"}]], "places": ${pyNum(rank.n)}}`,
  ];
  if (label) {
    lines.push(
      `result = pd.Series(top[${pyStr(measure)}].to_numpy(), index=${rowLabels(ctx.schema, label)}, name=${pyStr(measure)})`,
      `counts = ${col(frame, label)}.astype(str).value_counts()`,
      `scope["repeats"] = int((counts.reindex(pd.unique(result.index)) > 1).sum())`,
    );
  } else {
    lines.push(
      `result = pd.Series(top[${pyStr(measure)}].to_numpy(), index=[f"row {i + 1}" for i in top.index], name=${pyStr(measure)})`,
    );
  }
  return lines;
}

/** Sorting and folding: categories largest first, the smallest folded into "Other" when there are too many. */
function foldLines(ctx: Context, chart: AggregatePlan["chart"]): string[] {
  const { plan, wide } = ctx;
  const dimension = plan.dimension as Dimension;
  if (dimension.type !== "category" || plan.rank) return [];
  const lines = [
    wide
      ? 'result = result.loc[result.sum(axis=1).sort_index().sort_values(ascending=False, kind="stable").index]'
      : 'result = result.sort_index().sort_values(ascending=False, kind="stable")',
  ];
  const limit = chart === "pie" ? LIMITS.pie : horizontal(ctx, chart) ? LIMITS.horizontalBars : LIMITS.bars;
  if (expectedGroups(ctx) <= limit) return lines;
  lines.push(`scope["groups"] = int(len(result))`);
  if (wide) {
    lines.push(`# Show the ${limit} largest groups.`, `result = result.head(${limit})`);
  } else {
    lines.push(
      '# Fold the smallest groups into "Other" so every label stays readable.',
      `if len(result) > ${limit}:`,
      ...otherLines(ctx, limit),
      `    result = pd.concat([result.iloc[:${limit - 1}], pd.Series({"Other": other})])`,
      `    scope["folded"] = int(scope["groups"] - ${limit - 1})`,
    );
  }
  return lines;
}

/** The cell for an aggregate plan: select rows, group, chart, and print the scope and the table as JSON. */
export function aggregateCell(plan: AggregatePlan, schema: DataSchema): string {
  const streamed = Boolean(schema.reading.streamed);
  const span = spanColumn(plan, schema);
  const lines: string[] = [];
  let frame = "df";
  if (streamed) {
    lines.push(...streamScanLines(plan, schema, span));
  } else {
    const selection = selectRows(plan.filters);
    frame = selection.frame;
    lines.push(...selection.lines, ...scopeLines({ frame, span, measures: plan.measures }));
  }
  if (!plan.dimension && !plan.rank?.rows) {
    if (streamed) return [...lines, ...streamValueLines(plan)].join("\n");
    if (plan.measures.length > 1) {
      return [
        ...lines,
        `result = ${frame}[${pyStrList(plan.measures)}].${plan.aggregation}()`,
        PRINT_SCOPE,
        'print(result.to_json(orient="split"))',
      ].join("\n");
    }
    const value =
      plan.measures.length === 0
        ? `len(${frame})`
        : `${col(frame, plan.measures[0] as string)}.${plan.aggregation}()`;
    return [...lines, `value = ${value}`, PRINT_SCOPE, 'print(json.dumps({"value": float(value)}))'].join(
      "\n",
    );
  }
  const ctx: Context = {
    plan,
    schema,
    frame,
    wide: Boolean(plan.series) || plan.measures.length > 1,
    streamed,
  };
  const { chart } = chartChoice(plan, schema);
  if (plan.rank?.rows) lines.push(...(streamed ? streamRowRankLines(ctx) : rowRankLines(ctx)));
  else {
    lines.push(...groupLines(ctx));
    if (plan.series && (columnByName(schema, plan.series)?.unique ?? 0) > LIMITS.series) {
      lines.push(
        `# Keep the ${LIMITS.series} largest series so the legend stays readable.`,
        `scope["series"] = int(result.shape[1])`,
        `result = result[result.sum().nlargest(${LIMITS.series}).index]`,
      );
    }
    if (plan.rank) lines.push(...rankLines(ctx));
    lines.push(...foldLines(ctx, chart));
  }
  lines.push("");
  if (chart !== "none") lines.push(...chartLines(ctx, chart), "");
  lines.push(PRINT_SCOPE, 'print(result.to_json(orient="split", date_format="iso"))');
  return lines.join("\n");
}
