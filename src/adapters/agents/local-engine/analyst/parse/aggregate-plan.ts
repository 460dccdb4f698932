/**
 * The plan for "<aggregation> of <measure> by <dimension> [for each <series>]" from the columns a question
 * names and the roles its connectors give them; counts of rows ("how many cars per origin") and of distinct
 * values ("how many states"), rankings of groups ("top 5 directors by gross") and of rows ("top 5 cars by
 * horsepower").
 */
import {
  type ColumnInfo,
  type DataSchema,
  isAdditive,
  isIdLike,
  isYearLike,
  mainCategory,
  mainDate,
} from "../data-schema";
import type { Aggregation, AggregatePlan, DeclinePlan, Dimension, TimeGrain } from "../plan";
import { explicitAggregation, type ChartWord, isNumeric, type Parts } from "./question-parts";

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

/**
 * How a column becomes the x-axis. A date column named in the question keeps its own unit (every date);
 * one chosen for "over time" is bucketed to stay readable.
 */
export function dimensionFor(column: ColumnInfo, grain?: TimeGrain, named = false): Dimension {
  if (column.kind === "date") {
    if (grain) return { type: "date", column: column.name, grain };
    const own = column.resolution === "year" || column.resolution === "month" ? column.resolution : undefined;
    return { type: "date", column: column.name, grain: named ? own : autoGrain(column) };
  }
  if (column.kind === "number" && (isYearLike(column) || column.unique <= 25))
    return { type: "ordinal", column: column.name };
  if (column.kind === "number") return { type: "binned", column: column.name, bins: 10 };
  return { type: "category", column: column.name };
}

function defaultAggregation(measure: ColumnInfo | undefined): Aggregation {
  if (!measure) return "count";
  return isAdditive(measure) ? "sum" : "mean";
}

/**
 * The column that names a row: a text column whose values mostly differ (a name, a title), else a date that
 * is different on nearly every row (daily data).
 */
function labelColumn(schema: DataSchema): ColumnInfo | undefined {
  const named = schema.columns.filter(
    (c) => c.kind === "text" && c.unique >= 0.5 * (schema.rows - c.missing) && schema.rows > 0,
  );
  const preferred = named.find((c) => /name|title|label/i.test(c.name));
  const text = preferred ?? named.sort((a, b) => b.unique - a.unique)[0];
  return text ?? schema.columns.find((c) => c.kind === "date" && c.unique >= 0.9 * schema.rows);
}

export interface FoundColumns {
  subjects: ColumnInfo[];
  dimensions: ColumnInfo[];
  chart: ChartWord | undefined;
}

export function aggregatePlan(
  p: Parts,
  schema: DataSchema,
  found: FoundColumns,
): AggregatePlan | DeclinePlan {
  let aggregation = explicitAggregation(p.tokens, p.mentions);
  // Years and ids group rows; they are not amounts to add up.
  const groupsRows = (c: ColumnInfo) => !isNumeric(c) || isYearLike(c) || isIdLike(c, schema.rows);
  let measureColumns = found.subjects.filter((c) => !groupsRows(c));
  let textSubjects = found.subjects.filter(groupsRows);
  let dimensionColumns = [...found.dimensions];
  let series = p.series;
  const countsRows = p.countsRows || (!aggregation && p.rowUnit.length > 0 && measureColumns.length === 0);

  // "top 5 countries by income", "top 5 months by rain": a number after "by" is the measure when something
  // else (a text column, a time grain) is there to group by.
  if (measureColumns.length === 0 && aggregation !== "count" && aggregation !== "nunique") {
    const numeric = dimensionColumns.find(isNumeric);
    const other =
      textSubjects.length > 0 ||
      p.grain !== undefined ||
      dimensionColumns.some((d) => !isNumeric(d)) ||
      (p.rank !== undefined && p.rowUnit.length > 0);
    if (numeric && other) {
      measureColumns = [numeric];
      dimensionColumns = dimensionColumns.filter((d) => d !== numeric);
    }
  }
  // "how many states": distinct values; "how many cars per origin", "most movies": rows.
  if ((aggregation === "count" || (!aggregation && countsRows)) && measureColumns.length === 0) {
    if (!countsRows && textSubjects.length > 0 && (dimensionColumns.length > 0 || !found.chart)) {
      aggregation = "nunique";
    } else {
      aggregation = "count";
    }
  }
  if (aggregation === "nunique" && found.subjects[0]) {
    measureColumns = [found.subjects[0]];
    textSubjects = textSubjects.filter((c) => c !== found.subjects[0]);
  }
  if (textSubjects.length > 0) {
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
  const named = dimensionColumn !== undefined;
  const wantsTime = p.grain !== undefined || p.overTime || found.chart === "line" || found.chart === "area";
  if (!dimensionColumn && wantsTime) {
    dimensionColumn = mainDate(schema) ?? (p.grain === "year" ? schema.columns.find(isYearLike) : undefined);
    if (!dimensionColumn && p.grain) {
      return {
        kind: "decline",
        problems: [`there is no date column to group by ${p.grain}`],
        suggestions: [],
      };
    }
  }
  // "top 5 cars by horsepower": the rows themselves, named by their label column.
  let rank = p.rank;
  if (
    rank &&
    !rank.which &&
    !dimensionColumn &&
    p.rowUnit.length > 0 &&
    measureColumns.length === 1 &&
    !series
  ) {
    rank = { ...rank, rows: true };
    dimensionColumn = labelColumn(schema);
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
  if (!dimensionColumn && !rank?.rows && (found.chart === "bar" || found.chart === "pie" || rank)) {
    dimensionColumn = series ?? mainCategory(schema);
    if (dimensionColumn === series) series = undefined;
  }
  if (!dimensionColumn && series) {
    dimensionColumn = series;
    series = undefined;
  }
  if (measureColumns.length === 0 && !aggregation && !dimensionColumn && found.chart !== "histogram") {
    return { kind: "decline", problems: ["I couldn't find a column name in your question"], suggestions: [] };
  }
  if (found.chart === "histogram" && measureColumns.length === 0 && !dimensionColumn) {
    return { kind: "decline", problems: ["a histogram needs a number column"], suggestions: [] };
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
  if ((series || found.chart === "pie" || rank?.rows) && measureColumns.length > 1)
    measureColumns = measureColumns.slice(0, 1);
  aggregation ??= defaultAggregation(measureColumns[0]);
  if (aggregation === "count" && measureColumns.every((m) => m.kind !== "number")) measureColumns = [];
  const dimension = dimensionColumn
    ? dimensionColumn.kind === "date"
      ? dimensionFor(dimensionColumn, p.grain, named)
      : dimensionFor(dimensionColumn)
    : undefined;
  if (rank?.rows && dimension) dimension.type = "category";
  let chart: AggregatePlan["chart"];
  if (found.chart === "table" || !dimension) chart = "none";
  else if (
    found.chart &&
    found.chart !== "histogram" &&
    found.chart !== "scatter" &&
    found.chart !== "correlation"
  )
    chart = found.chart;
  else chart = !rank && (dimension.type === "date" || dimension.type === "ordinal") ? "line" : "bar";
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
    rank,
    minCount: p.minCount,
    filters: p.filters,
  };
}
