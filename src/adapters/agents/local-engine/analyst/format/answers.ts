/**
 * Answer text from what a cell really printed. Every number here comes from the parsed output of the cell,
 * never from the plan.
 */
import { aggregateTitle, aggregationWord, dimensionLabel, measureLabel } from "../labels";
import type {
  AggregatePlan,
  AnalysisPlan,
  CorrelationPlan,
  HistogramPlan,
  ScatterPlan,
  TimeGrain,
} from "../plan";
import {
  type CellOutput,
  type Scope,
  isSplitFrame,
  isSplitSeries,
  numberRecord,
  type SplitFrame,
  type SplitSeries,
} from "./cell-output";
import type { DataSchema } from "../data-schema";
import { chartChoice } from "../python/aggregate-chart";
import { computedLine } from "./computed";
import { code, formatNumber, formatValue, markdownTable } from "./markdown";

function grainOf(plan: AggregatePlan): TimeGrain | undefined {
  return plan.dimension?.type === "date" ? plan.dimension.grain : undefined;
}

/** A group's label: dates at their grain, years and other whole numbers without separators. */
function keyText(plan: AggregatePlan, key: unknown): string {
  if (plan.dimension?.type === "ordinal" && typeof key === "number" && Number.isInteger(key))
    return String(key);
  return formatValue(key, grainOf(plan));
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function numeric(values: unknown[]): { value: number; i: number }[] {
  return values.map((v, i) => ({ value: v as number, i })).filter((e) => typeof e.value === "number");
}

function names(labels: string[]): string {
  const bold = labels.map((l) => `**${l}**`);
  return bold.length <= 2
    ? bold.join(" and ")
    : `${bold.slice(0, -1).join(", ")} and ${bold[bold.length - 1]}`;
}

/** "Highest: sun (1,234); lowest: snow (12)." or "Peak: 2014-07 (…)"; a ranking names its first, ties and all. */
function highlight(plan: AggregatePlan, series: SplitSeries, scope: Scope): string {
  // The folded "Other" group is not a group of its own.
  const values = numeric(series.data).filter((e) => series.index[e.i] !== "Other");
  if (values.length < (plan.rank ? 1 : 2)) return "";
  const label = (i: number) => keyText(plan, series.index[i]);
  const max = values.reduce((a, b) => (b.value > a.value ? b : a));
  const min = values.reduce((a, b) => (b.value < a.value ? b : a));
  if (plan.rank) {
    const first = values[0] as { value: number; i: number };
    const side = plan.rank.order === "largest" ? "highest" : "lowest";
    const what = plan.rank.rows ? (plan.measures[0] as string) : lowerFirst(measureLabel(plan));
    const tied = (scope.first_ties ?? []).length > 1 ? (scope.first_ties as string[]) : undefined;
    const lead = tied
      ? `${names(tied)} tie for the ${side} ${what} (${formatNumber(first.value)}).`
      : `**${label(first.i)}** has the ${side} ${what} (${formatNumber(first.value)}).`;
    const ties = scope.ties
      ? ` ${names(scope.ties.labels)} tie at ${formatNumber(scope.ties.value)} for the last place, so ${series.index.length} are shown for a ${plan.rank.order === "largest" ? "top" : "bottom"} ${scope.ties.places}.`
      : "";
    return lead + ties;
  }
  const ordered = plan.dimension?.type !== "category";
  const timeline = plan.dimension?.type === "date" || plan.dimension?.type === "ordinal";
  const span = timeline ? `From ${label(0)} to ${label(series.index.length - 1)}. ` : "";
  const word = ordered ? "Peak" : "Highest";
  return `${span}${word}: **${label(max.i)}** (${formatNumber(max.value)}); lowest: **${label(min.i)}** (${formatNumber(min.value)}).`;
}

/** Time series show their latest dozen rows; rankings and categories their first rows. */
function tableShape(plan: AggregatePlan): [number, boolean] {
  const ordered = plan.dimension?.type === "date" || plan.dimension?.type === "ordinal";
  return ordered && !plan.rank ? [12, true] : [25, false];
}

function seriesTable(plan: AggregatePlan, series: SplitSeries): string {
  const dimension = plan.dimension;
  const valueHeader = plan.rank?.rows ? (plan.measures[0] as string) : measureLabel(plan);
  const headers = [dimension ? dimensionLabel(dimension) : "Row", valueHeader];
  const rows = series.index.map((key, i) => [keyText(plan, key), formatValue(series.data[i])]);
  return markdownTable(headers, rows, ...tableShape(plan));
}

function frameTable(plan: AggregatePlan, frame: SplitFrame): string {
  const first = plan.dimension ? dimensionLabel(plan.dimension) : "";
  const headers = [first, ...frame.columns.map((c) => formatValue(c))];
  const rows = frame.index.map((key, i) => [
    keyText(plan, key),
    ...(frame.data[i] ?? []).map((v) => formatValue(v)),
  ]);
  return markdownTable(headers, rows, ...tableShape(plan));
}

function aggregateAnswer(plan: AggregatePlan, out: CellOutput, schema: DataSchema): string {
  const title = aggregateTitle(plan);
  const computed = computedLine(plan, out.scope, schema);
  if (!plan.dimension) {
    if (isSplitSeries(out.json)) {
      const series = out.json;
      const rows = series.index.map((k, i) => [String(k), formatValue(series.data[i])]);
      return `**${title}**\n\n${computed}\n\n${markdownTable(["Column", aggregationWord(plan.aggregation)], rows)}`;
    }
    const value = numberRecord(out.json).value;
    const shown = value === null || value === undefined ? "no value" : formatNumber(value);
    return `**${title}**: **${shown}**\n\n${computed}`;
  }
  const lines = [`**${title}**`, "", computed];
  const note = chartChoice(plan, schema).note;
  if (note) lines.push("", note);
  if (isSplitFrame(out.json)) {
    if (plan.series)
      lines.push("", `Values are ${lowerFirst(measureLabel(plan))}; one column per ${code(plan.series)}.`);
    lines.push("", frameTable(plan, out.json));
  } else if (isSplitSeries(out.json)) {
    const highlighted = highlight(plan, out.json, out.scope);
    if (highlighted) lines.push("", highlighted);
    lines.push("", seriesTable(plan, out.json));
  } else {
    throw new Error("unexpected result shape");
  }
  return lines.join("\n");
}

const STAT_NAMES: Record<string, string> = {
  count: "Values",
  mean: "Mean",
  std: "Std. deviation",
  min: "Minimum",
  "25%": "25th percentile",
  "50%": "Median",
  "75%": "75th percentile",
  max: "Maximum",
};

function histogramAnswer(plan: HistogramPlan, out: CellOutput, schema: DataSchema): string {
  const title = `**Distribution of ${plan.column}${plan.group ? ` by ${plan.group}` : ""}**\n\n${computedLine(plan, out.scope, schema)}`;
  if (isSplitFrame(out.json)) {
    const frame = out.json;
    const headers = [plan.group ?? "", ...frame.columns.map((c) => STAT_NAMES[String(c)] ?? String(c))];
    const rows = frame.index.map((k, i) => [
      formatValue(k),
      ...(frame.data[i] ?? []).map((v) => formatValue(v)),
    ]);
    return `${title}\n\n${markdownTable(headers, rows)}`;
  }
  const stats = numberRecord(out.json);
  const rows = Object.entries(stats).map(([k, v]) => [STAT_NAMES[k] ?? k, formatValue(v)]);
  return `${title}\n\n${markdownTable(["Statistic", plan.column], rows)}`;
}

/** "strong negative", "weak positive"… for a Pearson r. */
function describeCorrelation(r: number): string {
  const abs = Math.abs(r);
  const strength = abs >= 0.7 ? "strong" : abs >= 0.4 ? "moderate" : abs >= 0.2 ? "weak" : "little or no";
  if (strength === "little or no") return "little or no linear relationship";
  return `a ${strength} ${r > 0 ? "positive" : "negative"} relationship`;
}

function rSentence(r: number | null | undefined): string {
  if (typeof r !== "number") return "The correlation is undefined (a column is constant).";
  return `Pearson r = **${r.toFixed(3)}**: ${describeCorrelation(r)}.`;
}

function scatterAnswer(plan: ScatterPlan, out: CellOutput, schema: DataSchema): string {
  const result = numberRecord(out.json);
  const points = formatNumber(result.points ?? 0);
  return `**${plan.y} vs ${plan.x}**: ${points} points. ${rSentence(result.r)}\n\n${computedLine(plan, out.scope, schema)}`;
}

function correlationAnswer(plan: CorrelationPlan, out: CellOutput, schema: DataSchema): string {
  const computed = computedLine(plan, out.scope, schema);
  if (plan.columns.length === 2) {
    const result = numberRecord(out.json);
    const [x, y] = plan.columns as [string, string];
    const trend =
      typeof result.slope === "number" && typeof result.intercept === "number"
        ? ` Trend line: ${y} ≈ ${formatNumber(result.slope)} × ${x} ${result.intercept < 0 ? "−" : "+"} ${formatNumber(Math.abs(result.intercept))}.`
        : "";
    return `**Correlation of ${x} and ${y}**, over ${formatNumber(result.points ?? 0)} rows. ${rSentence(result.r)}${trend}\n\n${computed}`;
  }
  if (!isSplitFrame(out.json)) throw new Error("unexpected result shape");
  const frame = out.json;
  const names = frame.columns.map(String);
  const pairs: { a: string; b: string; r: number }[] = [];
  names.forEach((a, i) =>
    names.forEach((b, j) => {
      const r = frame.data[i]?.[j];
      if (j > i && typeof r === "number") pairs.push({ a, b, r });
    }),
  );
  pairs.sort((p, q) => Math.abs(q.r) - Math.abs(p.r));
  const strongest = pairs
    .slice(0, 3)
    .map((p) => `- ${code(p.a)} and ${code(p.b)}: r = ${p.r.toFixed(2)} (${describeCorrelation(p.r)})`);
  const rows = frame.index.map((k, i) => [
    String(k),
    ...(frame.data[i] ?? []).map((v) => (typeof v === "number" ? v.toFixed(2) : "–")),
  ]);
  return [
    "**Correlation between number columns**",
    "",
    computed,
    "",
    "Strongest pairs:",
    ...strongest,
    "",
    markdownTable(["", ...names], rows),
  ].join("\n");
}

function answerText(plan: AnalysisPlan, out: CellOutput, schema: DataSchema): string {
  switch (plan.kind) {
    case "aggregate":
      return aggregateAnswer(plan, out, schema);
    case "histogram":
      return histogramAnswer(plan, out, schema);
    case "scatter":
      return scatterAnswer(plan, out, schema);
    case "correlation":
      return correlationAnswer(plan, out, schema);
  }
}

/** The answer for any analysis plan, from what its cell printed. */
export function analysisAnswer(plan: AnalysisPlan, out: CellOutput, schema: DataSchema): string {
  return answerText(plan, out, schema);
}
