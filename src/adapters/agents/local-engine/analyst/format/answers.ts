/**
 * Answer text from what a cell really printed. Every number here comes from the parsed output of the cell,
 * never from the plan.
 */
import { aggregateTitle, aggregationWord, dimensionLabel, filtersLabel, measureLabel } from "../labels";
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
  isSplitFrame,
  isSplitSeries,
  numberRecord,
  type SplitFrame,
  type SplitSeries,
} from "./cell-output";
import { code, formatNumber, formatValue, markdownTable } from "./markdown";

function scope(plan: { filters: AnalysisPlan["filters"] }, out: CellOutput): string {
  const parts: string[] = [];
  if (plan.filters.length) parts.push(`where ${filtersLabel(plan.filters)}`);
  if (out.rowsUsed !== undefined) parts.push(`${formatNumber(out.rowsUsed)} rows`);
  return parts.length ? ` (${parts.join(", ")})` : "";
}

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

/** "Highest: sun (1,234); lowest: snow (12)." or "Peak: 2014-07 (…)". */
function highlight(plan: AggregatePlan, series: SplitSeries): string {
  // The folded "Other" group is not a group of its own.
  const values = numeric(series.data).filter((e) => series.index[e.i] !== "Other");
  if (values.length < (plan.rank ? 1 : 2)) return "";
  const label = (i: number) => keyText(plan, series.index[i]);
  const max = values.reduce((a, b) => (b.value > a.value ? b : a));
  const min = values.reduce((a, b) => (b.value < a.value ? b : a));
  if (plan.rank) {
    const first = values[0] as { value: number; i: number };
    const side = plan.rank.order === "largest" ? "highest" : "lowest";
    return `**${label(first.i)}** has the ${side} ${lowerFirst(measureLabel(plan))} (${formatNumber(first.value)}).`;
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
  const headers = [dimension ? dimensionLabel(dimension) : "", measureLabel(plan)];
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

export function aggregateAnswer(plan: AggregatePlan, out: CellOutput): string {
  const title = aggregateTitle(plan);
  if (!plan.dimension) {
    if (isSplitSeries(out.json)) {
      const series = out.json;
      const rows = series.index.map((k, i) => [String(k), formatValue(series.data[i])]);
      return `**${title}**${scope(plan, out)}:\n\n${markdownTable(["Column", aggregationWord(plan.aggregation)], rows)}`;
    }
    const value = numberRecord(out.json).value;
    return `**${title}**${scope(plan, out)}: **${value === null || value === undefined ? "no value" : formatNumber(value)}**`;
  }
  const lines = [`**${title}**${scope(plan, out)}`];
  if (isSplitFrame(out.json)) {
    if (plan.series)
      lines.push(`Values are ${lowerFirst(measureLabel(plan))}; one column per ${code(plan.series)}.`);
    lines.push("", frameTable(plan, out.json));
  } else if (isSplitSeries(out.json)) {
    const note = highlight(plan, out.json);
    if (note) lines.push("", note);
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

export function histogramAnswer(plan: HistogramPlan, out: CellOutput): string {
  const title = `**Distribution of ${plan.column}${plan.group ? ` by ${plan.group}` : ""}**${scope(plan, out)}`;
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
export function describeCorrelation(r: number): string {
  const abs = Math.abs(r);
  const strength = abs >= 0.7 ? "strong" : abs >= 0.4 ? "moderate" : abs >= 0.2 ? "weak" : "little or no";
  if (strength === "little or no") return "little or no linear relationship";
  return `a ${strength} ${r > 0 ? "positive" : "negative"} relationship`;
}

function rSentence(r: number | null | undefined): string {
  if (typeof r !== "number") return "The correlation is undefined (a column is constant).";
  return `Pearson r = **${r.toFixed(3)}**: ${describeCorrelation(r)}.`;
}

export function scatterAnswer(plan: ScatterPlan, out: CellOutput): string {
  const result = numberRecord(out.json);
  const points = formatNumber(result.points ?? 0);
  return `**${plan.y} vs ${plan.x}**${scope(plan, out)}: ${points} points. ${rSentence(result.r)}`;
}

export function correlationAnswer(plan: CorrelationPlan, out: CellOutput): string {
  if (plan.columns.length === 2) {
    const result = numberRecord(out.json);
    const [x, y] = plan.columns as [string, string];
    const trend =
      typeof result.slope === "number" && typeof result.intercept === "number"
        ? ` Trend line: ${y} ≈ ${formatNumber(result.slope)} × ${x} ${result.intercept < 0 ? "−" : "+"} ${formatNumber(Math.abs(result.intercept))}.`
        : "";
    return `**Correlation of ${x} and ${y}**${scope(plan, out)}, over ${formatNumber(result.points ?? 0)} rows. ${rSentence(result.r)}${trend}`;
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
    `**Correlation between number columns**${scope(plan, out)}`,
    "",
    "Strongest pairs:",
    ...strongest,
    "",
    markdownTable(["", ...names], rows),
  ].join("\n");
}

function answerText(plan: AnalysisPlan, out: CellOutput): string {
  switch (plan.kind) {
    case "aggregate":
      return aggregateAnswer(plan, out);
    case "histogram":
      return histogramAnswer(plan, out);
    case "scatter":
      return scatterAnswer(plan, out);
    case "correlation":
      return correlationAnswer(plan, out);
  }
}

/** The answer for any analysis plan, noting words of the question it did not use. */
export function analysisAnswer(plan: AnalysisPlan, out: CellOutput): string {
  const text = answerText(plan, out);
  if (!plan.ignored?.length) return text;
  return `${text}\n\n_Not used from your question: ${plan.ignored.map((w) => `"${w}"`).join(", ")}._`;
}
