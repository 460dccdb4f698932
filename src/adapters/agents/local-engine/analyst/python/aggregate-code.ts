/**
 * Python for "<aggregation> of <measure> by <dimension> [for each <series>]" and its chart: bars (sorted,
 * horizontal when labels are many or long), lines and areas over real dates, pies; long tails folded into "Other".
 */
import { type ColumnInfo, type DataSchema, columnByName } from "../data-schema";
import { aggregateTitle, dimensionLabel, filtersLabel, measureLabel } from "../labels";
import type { AggregatePlan, Dimension } from "../plan";
import {
  COLOR,
  dateAxisLines,
  dateLabels,
  finishLines,
  newFigure,
  tickLabelLines,
  titleLines,
  valueAxisLines,
} from "./figure-code";
import { selectRows } from "./filter-code";
import { col, pyNum, pyStr, pyStrList } from "./literals";

/** Most bars, pie slices and series drawn before the rest are folded or left out. */
export const LIMITS = { bars: 15, horizontalBars: 20, pie: 8, series: 8 } as const;

const FREQUENCIES = { day: "D", week: "W-MON", month: "MS", quarter: "QS", year: "YS" } as const;

/** What the generated code works with: the plan, the table's profile and the frame holding the rows. */
interface Context {
  plan: AggregatePlan;
  schema: DataSchema;
  frame: string;
  /** One column per series or measure (a DataFrame), not a single Series. */
  wide: boolean;
}

function groupKey(dimension: Dimension): string {
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

/** The same aggregation over the rows `rows` selects: the value of an "Other" bar. */
function otherValue({ plan, frame }: Context, rows: string): string {
  if (plan.measures.length === 0) return `int(${rows}.sum())`;
  return `${frame}.loc[${rows}, ${pyStr(plan.measures[0] as string)}].${plan.aggregation}()`;
}

/** A format for range labels that shows the digits that differ between bins. */
function binFormat(column: ColumnInfo | undefined, bins: number): string {
  const width = Math.abs(Number(column?.max ?? 0) - Number(column?.min ?? 0)) / bins;
  return width >= 10 ? ",.0f" : width >= 1 ? ".1f" : ".3g";
}

/** Whether value labels get thousands separators (and whole numbers, for counts). */
function valueAxisKind({ plan, schema }: Context): "count" | "thousands" | "plain" {
  if (plan.aggregation === "count" || plan.aggregation === "nunique") return "count";
  const measure = columnByName(schema, plan.measures[0] ?? "");
  if (plan.aggregation === "sum")
    return Math.abs(Number(measure?.mean ?? 0)) * schema.rows >= 10_000 ? "thousands" : "plain";
  const largest = Math.max(Math.abs(Number(measure?.min ?? 0)), Math.abs(Number(measure?.max ?? 0)));
  return largest >= 1000 ? "thousands" : "plain";
}

/** How many labels the x-axis may get, as far as the profile tells. */
function expectedGroups({ plan, schema }: Context): number {
  const dimension = plan.dimension as Dimension;
  if (plan.rank) return plan.rank.n;
  if (dimension.type === "binned") return dimension.bins;
  if (dimension.type === "date" && dimension.grain) return Infinity;
  return columnByName(schema, dimension.column)?.unique ?? Infinity;
}

/** Python that computes `result`: a Series, or a DataFrame with one column per series or measure. */
function resultLines(ctx: Context): string[] {
  const { plan, schema, frame, wide } = ctx;
  const dimension = plan.dimension as Dimension;
  const lines: string[] = [];
  const seriesKey = plan.series ? pyStr(plan.series) : undefined;
  if (dimension.type === "binned") {
    lines.push(`ranges = pd.cut(${col(frame, dimension.column)}, bins=${pyNum(dimension.bins)})`);
    const keys = seriesKey ? `[ranges, ${seriesKey}]` : "ranges";
    const unstack = seriesKey ? `.unstack(${seriesKey})` : "";
    lines.push(`result = ${frame}.groupby(${keys}, observed=False)${aggregateCall(plan)}${unstack}`);
    const fmt = binFormat(columnByName(schema, dimension.column), dimension.bins);
    lines.push(`result.index = [f"{r.left:${fmt}} to {r.right:${fmt}}" for r in result.index]`);
  } else if (seriesKey) {
    const key = groupKey(dimension);
    lines.push(
      `result = ${frame}.groupby([${key}, ${seriesKey}])${aggregateCall(plan)}.unstack(${seriesKey})`,
    );
  } else {
    lines.push(`result = ${frame}.groupby(${groupKey(dimension)})${aggregateCall(plan)}`);
  }
  if (plan.series && (columnByName(schema, plan.series)?.unique ?? 0) > LIMITS.series) {
    lines.push(
      `# Keep the ${LIMITS.series} largest series so the legend stays readable.`,
      `result = result[result.sum().nlargest(${LIMITS.series}).index]`,
    );
  }
  if (plan.rank) {
    const pick = plan.rank.order === "largest" ? "nlargest" : "nsmallest";
    if (wide) lines.push(`result = result.loc[result.sum(axis=1).${pick}(${pyNum(plan.rank.n)}).index]`);
    else lines.push(`result = result.${pick}(${pyNum(plan.rank.n)})`);
    return lines;
  }
  if (dimension.type !== "category") return lines;
  if (wide) lines.push("result = result.loc[result.sum(axis=1).sort_values(ascending=False).index]");
  else lines.push("result = result.sort_values(ascending=False)");
  const limit = plan.chart === "pie" ? LIMITS.pie : horizontal(ctx) ? LIMITS.horizontalBars : LIMITS.bars;
  if (expectedGroups(ctx) > limit) {
    if (wide) {
      lines.push(`# Show the ${limit} largest groups.`, `result = result.head(${limit})`);
    } else {
      lines.push(
        '# Fold the smallest groups into "Other" so every label stays readable.',
        `if len(result) > ${limit}:`,
        `    rest = ~${col(frame, dimension.column)}.isin(result.index[:${limit - 1}])`,
        `    result = pd.concat([result.iloc[:${limit - 1}], pd.Series({"Other": ${otherValue(ctx, "rest")}})])`,
      );
    }
  }
  return lines;
}

/** Bars lie down when there are many categories or long names. */
function horizontal(ctx: Context): boolean {
  const { plan, schema, wide } = ctx;
  const dimension = plan.dimension;
  if (plan.chart !== "bar" || !dimension || dimension.type !== "category" || wide) return false;
  const column = columnByName(schema, dimension.column);
  const longest = Math.max(0, ...(column?.values ?? []).map((v) => v.length));
  return expectedGroups(ctx) > 8 || longest > 12 || column?.values === undefined;
}

/** Whether category labels on the x-axis need thinning or slanting to stay apart. */
function crowded(ctx: Context): boolean {
  const { plan, schema } = ctx;
  const dimension = plan.dimension as Dimension;
  const count = expectedGroups(ctx);
  if (dimension.type !== "category") return count > 8;
  const values = columnByName(schema, dimension.column)?.values ?? [];
  const longest = Math.max(0, ...values.map((v) => v.length));
  return count * Math.max(longest, 4) > 60;
}

function chartLines(ctx: Context): string[] {
  const { plan, wide } = ctx;
  const dimension = plan.dimension as Dimension;
  const title = aggregateTitle(plan);
  const subtitle = plan.filters.length ? `(${filtersLabel(plan.filters)})` : undefined;
  const xLabel = dimensionLabel(dimension);
  const yLabel = measureLabel(plan);
  const axisKind = valueAxisKind(ctx);
  const isDate = dimension.type === "date";
  const legend = plan.series ? [`ax.legend(title=${pyStr(plan.series)})`] : wide ? ["ax.legend()"] : [];
  const labelLine = `labels = ${isDate ? dateLabels("result.index", dimension.grain) : "result.index.astype(str)"}`;

  if (plan.chart === "pie") {
    return [
      "# A pie shows shares of a positive total.",
      "result = result[result > 0]",
      labelLine,
      "",
      newFigure(8, 8),
      "ax.pie(",
      "    result.values,",
      "    labels=labels,",
      '    autopct=lambda share: f"{share:.1f}%" if share >= 4 else "",  # no crowded labels on thin slices',
      "    startangle=90,",
      "    counterclock=False,",
      '    wedgeprops={"edgecolor": "white"},',
      ")",
      `ax.set_title(${pyStr(subtitle ? `${title}\n${subtitle}` : title)})`,
      "fig.tight_layout()",
    ];
  }

  if (plan.chart === "bar" && horizontal(ctx)) {
    return [
      labelLine,
      "",
      newFigure(10, 6),
      `ax.barh(labels, result.values, color="${COLOR}")`,
      "ax.invert_yaxis()",
      ...titleLines(title, subtitle, yLabel, xLabel),
      ...valueAxisLines("x", axisKind),
      ...finishLines("x"),
    ];
  }

  if (plan.chart === "bar") {
    const draw = wide
      ? [...(isDate ? ["result.index = labels"] : []), "result.plot.bar(ax=ax, width=0.8, rot=0)"]
      : [`ax.bar(labels, result.values, color="${COLOR}")`];
    return [
      ...(wide && !isDate && !crowded(ctx) ? [] : [labelLine]),
      "",
      newFigure(10, 6),
      ...draw,
      ...tickLabelLines("labels", crowded(ctx)),
      ...titleLines(title, subtitle, xLabel, yLabel),
      ...legend,
      ...valueAxisLines("y", axisKind),
      ...finishLines("y"),
    ];
  }

  // Lines and areas: real dates (or numbers) on the x-axis; categories and ranges by position.
  const numericX = isDate || dimension.type === "ordinal";
  const x = numericX ? "result.index" : "x";
  const lines = numericX
    ? [newFigure(10, 6)]
    : [labelLine, "x = np.arange(len(result))", "", newFigure(10, 6)];
  // Markers help on a few points (years, categories), not on hundreds of days.
  const fewPoints = isDate
    ? dimension.grain === "month" || dimension.grain === "quarter" || dimension.grain === "year"
    : expectedGroups(ctx) <= 40;
  const marker = fewPoints ? ', marker="o", markersize=4' : "";
  const stacked = plan.aggregation === "sum" || plan.aggregation === "count";
  if (plan.chart === "area" && wide && stacked) {
    lines.push(
      `ax.stackplot(${x}, result.fillna(0).T.values, labels=result.columns.astype(str), alpha=0.85)`,
    );
  } else if (plan.chart === "area" && wide) {
    lines.push(
      "for name, values in result.items():",
      `    ax.fill_between(${x}, values, alpha=0.3, label=str(name))`,
    );
  } else if (plan.chart === "area") {
    lines.push(
      `ax.fill_between(${x}, result.values, color="${COLOR}", alpha=0.4)`,
      `ax.plot(${x}, result.values, color="${COLOR}", linewidth=1.5)`,
    );
  } else if (wide) {
    lines.push(
      "for name, values in result.items():",
      `    ax.plot(${x}, values${marker}, linewidth=2, label=str(name))`,
    );
  } else {
    lines.push(`ax.plot(${x}, result.values${marker}, color="${COLOR}", linewidth=2)`);
  }
  if (isDate) lines.push(...dateAxisLines());
  else if (dimension.type === "ordinal") {
    lines.push(
      "ax.xaxis.set_major_locator(mticker.MaxNLocator(integer=True))",
      'ax.xaxis.set_major_formatter(mticker.StrMethodFormatter("{x:.0f}"))',
    );
  } else lines.push(...tickLabelLines("labels", crowded(ctx), true));
  lines.push(...titleLines(title, subtitle, xLabel, yLabel), ...legend, ...valueAxisLines("y", axisKind));
  if (plan.chart === "area" && stacked) lines.push("ax.set_ylim(bottom=0)");
  lines.push(...finishLines("both"));
  return lines;
}

/** The cell for an aggregate plan: select rows, group, chart, and print the table as JSON for the answer. */
export function aggregateCell(plan: AggregatePlan, schema: DataSchema): string {
  const { frame, lines } = selectRows(plan.filters);
  if (!plan.dimension) {
    if (plan.measures.length > 1) {
      return [
        ...lines,
        `result = ${frame}[${pyStrList(plan.measures)}].${plan.aggregation}()`,
        'print(result.to_json(orient="split"))',
      ].join("\n");
    }
    const value =
      plan.measures.length === 0
        ? `len(${frame})`
        : `${col(frame, plan.measures[0] as string)}.${plan.aggregation}()`;
    return [...lines, `value = ${value}`, 'print(json.dumps({"value": float(value)}))'].join("\n");
  }
  const ctx: Context = { plan, schema, frame, wide: Boolean(plan.series) || plan.measures.length > 1 };
  const body = [...resultLines(ctx), ""];
  if (plan.chart !== "none") body.push(...chartLines(ctx), "");
  body.push('print(result.to_json(orient="split", date_format="iso"))');
  return [...lines, ...body].join("\n");
}
