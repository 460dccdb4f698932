/**
 * The chart of an aggregate: which kind stays readable for the groups it will have (a pie of 48 months becomes
 * bars, a line through 1,461 names becomes the largest bars and "Other", 400 daily bars become a line), and the
 * Python that draws it: bars sorted and lying down when labels are many or long, lines and areas over real
 * dates, pies of positive parts only.
 */
import { type DataSchema, columnByName } from "../data-schema";
import { aggregateTitle, aggregationWord, dimensionLabel, filtersLabel, measureLabel } from "../labels";
import type { AggregatePlan, Dimension, TimeGrain } from "../plan";
import type { Context } from "./aggregate-code";
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
import { pyStr } from "./literals";

/** Most bars, pie slices, series and line points over categories drawn before the rest are folded or left out. */
export const LIMITS = {
  bars: 15,
  horizontalBars: 20,
  pie: 8,
  series: 8,
  lineCategories: 25,
  timeBars: 60,
} as const;

const GRAIN_DAYS: Record<TimeGrain, number> = { day: 1, week: 7, month: 30.44, quarter: 91.3, year: 365.25 };

/** How many groups the x-axis may get, as far as the profile tells. */
export function expectedGroups({ plan, schema }: Pick<Context, "plan" | "schema">): number {
  const dimension = plan.dimension as Dimension;
  if (plan.rank) return plan.rank.n;
  if (dimension.type === "binned") return dimension.bins;
  const column = columnByName(schema, dimension.column);
  if (dimension.type === "date" && dimension.grain) {
    const days = (Date.parse(String(column?.max)) - Date.parse(String(column?.min))) / 86_400_000;
    return Number.isFinite(days) ? Math.floor(days / GRAIN_DAYS[dimension.grain]) + 1 : Infinity;
  }
  return column?.unique ?? Infinity;
}

export interface ChartChoice {
  chart: AggregatePlan["chart"];
  /** Why the chart is not the kind asked for. */
  note?: string;
}

/** The chart kind that stays readable, and why it differs from the one asked for. */
export function chartChoice(plan: AggregatePlan, schema: DataSchema): ChartChoice {
  const dimension = plan.dimension;
  if (plan.chart === "none" || !dimension) return { chart: "none" };
  const groups = expectedGroups({ plan, schema });
  const timeline = dimension.type === "date" || dimension.type === "ordinal" || dimension.type === "binned";
  if (plan.chart === "pie") {
    if (plan.measures.length > 0 && plan.aggregation !== "sum") {
      const what = aggregationWord(plan.aggregation).toLowerCase();
      return {
        chart: "bar",
        note: `A pie shows the parts of a whole, and a ${what} is not a part of one, so this is a bar chart.`,
      };
    }
    if (dimension.type !== "category" && groups > LIMITS.pie) {
      const chart = dimension.type === "date" && groups > LIMITS.timeBars ? "line" : "bar";
      return { chart, note: `A pie of ${groups} slices could not be read, so this is a ${chart} chart.` };
    }
  }
  if (
    (plan.chart === "line" || plan.chart === "area") &&
    dimension.type === "category" &&
    groups > LIMITS.lineCategories
  ) {
    return {
      chart: "bar",
      note: `A line through ${groups} values of ${dimension.column}, which have no order, could not be read, so this is a bar chart of the largest.`,
    };
  }
  if (plan.chart === "bar" && timeline && !plan.rank && groups > LIMITS.timeBars) {
    return { chart: "line", note: `${groups} bars could not be read, so this is a line chart.` };
  }
  return { chart: plan.chart };
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

/** Bars lie down when there are many categories or long names. */
export function horizontal(ctx: Context, chart: AggregatePlan["chart"]): boolean {
  const { plan, schema, wide } = ctx;
  const dimension = plan.dimension;
  if (chart !== "bar" || !dimension || dimension.type !== "category" || wide) return false;
  if (plan.rank?.rows) return true;
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

/** Python that draws the chart of `result`. */
export function chartLines(ctx: Context, chart: AggregatePlan["chart"]): string[] {
  const { plan, wide } = ctx;
  const dimension = plan.dimension as Dimension;
  const title = aggregateTitle(plan);
  const subtitle = plan.filters.length ? `(${filtersLabel(plan.filters)})` : undefined;
  const xLabel = dimensionLabel(dimension);
  const yLabel = plan.rank?.rows ? (plan.measures[0] as string) : measureLabel(plan);
  const axisKind = valueAxisKind(ctx);
  const isDate = dimension.type === "date";
  const legend = plan.series ? [`ax.legend(title=${pyStr(plan.series)})`] : wide ? ["ax.legend()"] : [];
  const labelLine = `labels = ${isDate ? dateLabels("result.index", dimension.grain) : "result.index.astype(str)"}`;

  if (chart === "pie") {
    return [
      "# A pie shows shares of a positive total: groups at zero or below are left out (and said so).",
      'scope["not_in_pie"] = int((result <= 0).sum())',
      "shares = result[result > 0]",
      `labels = ${isDate ? dateLabels("shares.index", dimension.grain) : "shares.index.astype(str)"}`,
      "",
      newFigure(8, 8),
      "ax.pie(",
      "    shares.values,",
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

  if (chart === "bar" && horizontal(ctx, chart)) {
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

  if (chart === "bar") {
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
  if (chart === "area" && wide && stacked) {
    lines.push(
      `ax.stackplot(${x}, result.fillna(0).T.values, labels=result.columns.astype(str), alpha=0.85)`,
    );
  } else if (chart === "area" && wide) {
    lines.push(
      "for name, values in result.items():",
      `    ax.fill_between(${x}, values, alpha=0.3, label=str(name))`,
    );
  } else if (chart === "area") {
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
  if (chart === "area" && stacked) lines.push("ax.set_ylim(bottom=0)");
  lines.push(...finishLines("both"));
  return lines;
}
