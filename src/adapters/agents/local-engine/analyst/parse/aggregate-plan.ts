/**
 * The plan for "<aggregation> of <measure> by <dimension> [for each <series>]" from the columns a question
 * names and the roles its connectors give them.
 */
import {
  type ColumnInfo,
  type DataSchema,
  isAdditive,
  isYearLike,
  mainCategory,
  mainDate,
} from "../data-schema";
import type { Aggregation, AggregatePlan, Dimension, Plan, TimeGrain } from "../plan";
import { explicitAggregation, type explicitChart, isNumeric, type Parts } from "./question-parts";

/** Distinct dates → a grain that keeps a time series readable. */
function autoGrain(column: ColumnInfo): TimeGrain | undefined {
  // Yearly or monthly data keep their own unit, so labels read "1970" or "2000-01".
  if (column.unique <= 400)
    return column.resolution === "year" || column.resolution === "month" ? column.resolution : undefined;
  const min = Date.parse(String(column.min));
  const max = Date.parse(String(column.max));
  if (!Number.isFinite(min) || !Number.isFinite(max)) return "month";
  const days = (max - min) / 86_400_000;
  if (days > 365 * 15) return "year";
  if (days > 365 * 1.5) return "month";
  if (days > 120) return "week";
  return "day";
}

/** How a column becomes the x-axis. */
export function dimensionFor(column: ColumnInfo, grain?: TimeGrain): Dimension {
  if (column.kind === "date") return { type: "date", column: column.name, grain: grain ?? autoGrain(column) };
  if (column.kind === "number" && (isYearLike(column) || column.unique <= 25))
    return { type: "ordinal", column: column.name };
  if (column.kind === "number") return { type: "binned", column: column.name, bins: 10 };
  return { type: "category", column: column.name };
}

function defaultAggregation(measure: ColumnInfo | undefined): Aggregation {
  if (!measure) return "count";
  return isAdditive(measure) ? "sum" : "mean";
}

export function aggregatePlan(
  p: Parts,
  schema: DataSchema,
  found: { subjects: ColumnInfo[]; dimensions: ColumnInfo[]; chart: ReturnType<typeof explicitChart> },
): Plan {
  let aggregation = explicitAggregation(p.tokens, p.mentions);
  let measureColumns = found.subjects.filter(isNumeric);
  const textSubjects = found.subjects.filter((c) => !isNumeric(c));
  let dimensionColumns = [...found.dimensions];
  let series = p.series;

  // "top 5 countries by income", "top 5 months by rain": a number after "by" is the measure when something
  // else (a text column, a time grain) is there to group by.
  if (measureColumns.length === 0 && aggregation !== "count" && aggregation !== "nunique") {
    const numeric = dimensionColumns.find(isNumeric);
    const other =
      textSubjects.length > 0 || p.grain !== undefined || dimensionColumns.some((d) => !isNumeric(d));
    if (numeric && other) {
      measureColumns = [numeric];
      dimensionColumns = dimensionColumns.filter((d) => d !== numeric);
    }
  }
  if (aggregation === "nunique" && found.subjects[0]) {
    measureColumns = [found.subjects[0]];
  } else if (textSubjects.length > 0) {
    // "bar chart of weather" counts rows per weather; "weather by month" counts per month for each weather.
    if (dimensionColumns.length === 0 && !p.grain) dimensionColumns = [textSubjects[0] as ColumnInfo];
    else series ??= textSubjects[0];
  }
  // "monthly revenue by region": months on the x-axis, one line per region.
  if (
    (p.grain || p.overTime) &&
    !series &&
    dimensionColumns.length === 1 &&
    dimensionColumns[0]?.kind !== "date" &&
    mainDate(schema)
  ) {
    series = dimensionColumns[0];
    dimensionColumns = [];
  }
  if (dimensionColumns.length >= 2 && !series) {
    series = dimensionColumns.find((d, i) => i > 0 && !isNumeric(d) && d.kind !== "date");
    dimensionColumns = dimensionColumns.filter((d) => d !== series);
  }

  let dimensionColumn = dimensionColumns[0];
  const wantsTime = p.grain !== undefined || p.overTime || found.chart === "line" || found.chart === "area";
  if (!dimensionColumn && wantsTime) {
    dimensionColumn = mainDate(schema) ?? (p.grain === "year" ? schema.columns.find(isYearLike) : undefined);
    if (!dimensionColumn && p.grain) {
      return { kind: "help", reason: `There is no date column to group by ${p.grain}.` };
    }
  }
  // "pie chart of cylinders": a number with a handful of values is counted like a category.
  const few =
    measureColumns.length === 1 &&
    !aggregation &&
    !isAdditive(measureColumns[0] as ColumnInfo) &&
    (measureColumns[0]?.unique ?? Infinity) <= 12;
  if (!dimensionColumn && few && (found.chart === "bar" || found.chart === "pie")) {
    dimensionColumn = measureColumns[0];
    measureColumns = [];
  }
  if (!dimensionColumn && (found.chart === "bar" || found.chart === "pie" || p.rank)) {
    dimensionColumn = series ?? mainCategory(schema);
    if (dimensionColumn === series) series = undefined;
  }
  if (!dimensionColumn && series) {
    dimensionColumn = series;
    series = undefined;
  }
  if (measureColumns.length === 0 && !aggregation && !dimensionColumn && found.chart !== "histogram") {
    return {
      kind: "help",
      reason: p.mentions.length ? undefined : "I couldn't find a column name in your question.",
    };
  }
  if (found.chart === "histogram" && measureColumns.length === 0 && !dimensionColumn) {
    return { kind: "help", reason: "A histogram needs a number column." };
  }

  // "price for AAPL and IBM by year": one line per value picked, to compare them.
  const picked = p.filters.find((f) => "values" in f && f.op === "eq" && f.values.length > 1);
  if (
    !series &&
    picked &&
    dimensionColumn &&
    dimensionColumn.name !== picked.column &&
    found.chart !== "pie"
  ) {
    series = schema.columns.find((c) => c.name === picked.column);
  }
  // A pie has one ring: one measure, no series.
  if (found.chart === "pie") series = undefined;
  if ((series || found.chart === "pie") && measureColumns.length > 1)
    measureColumns = measureColumns.slice(0, 1);
  aggregation ??= defaultAggregation(measureColumns[0]);
  if (aggregation === "count" && measureColumns.every((m) => m.kind !== "number")) measureColumns = [];
  const dimension = dimensionColumn
    ? dimensionFor(dimensionColumn, dimensionColumn.kind === "date" ? p.grain : undefined)
    : undefined;
  let chart: AggregatePlan["chart"];
  if (found.chart === "table" || !dimension) chart = "none";
  else if (
    found.chart &&
    found.chart !== "histogram" &&
    found.chart !== "scatter" &&
    found.chart !== "correlation"
  )
    chart = found.chart;
  else chart = !p.rank && (dimension.type === "date" || dimension.type === "ordinal") ? "line" : "bar";
  if (
    chart === "line" &&
    dimension?.type === "ordinal" &&
    !isYearLike(schema.columns.find((c) => c.name === dimension.column) as ColumnInfo) &&
    !found.chart
  ) {
    chart = "bar";
  }

  return {
    kind: "aggregate",
    measures: measureColumns.map((c) => c.name),
    aggregation,
    dimension,
    series: series && series.name !== dimension?.column ? series.name : undefined,
    chart,
    rank: p.rank,
    filters: p.filters,
  };
}
