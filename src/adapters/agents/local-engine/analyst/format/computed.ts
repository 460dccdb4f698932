/**
 * The "Computed:" line every answer carries: in one plain sentence, what was computed over which rows — the
 * aggregation and grouping, the number of rows and the dates they span, the filters, the groups a condition or
 * ranking kept, values left out, and how the file's numbers and dates were read — so a reader can check it
 * against their own spreadsheet.
 */
import { type DataSchema, mainDate } from "../data-schema";
import { dimensionLabel, filtersLabel, measureLabel } from "../labels";
import type { AggregatePlan, AnalysisPlan, TimeGrain } from "../plan";
import type { Scope } from "./cell-output";
import { formatDate, formatNumber } from "./markdown";
import { planColumns } from "../python";
import { computedNotes } from "./reading";

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatNumber(n)} ${n === 1 ? one : many}`;
}

function what(plan: AnalysisPlan): string {
  switch (plan.kind) {
    case "aggregate":
      return aggregateWhat(plan);
    case "histogram":
      return `the distribution of ${plan.column}${plan.group ? ` for each ${plan.group}` : ""}`;
    case "scatter":
      return `${plan.y} against ${plan.x} with Pearson's r`;
    case "correlation":
      return plan.columns.length === 2
        ? `Pearson's r of ${plan.columns.join(" and ")}`
        : `Pearson's r of every pair of ${plan.columns.length} number columns`;
  }
}

function aggregateWhat(plan: AggregatePlan): string {
  const measure = lowerFirst(measureLabel(plan));
  if (plan.rank?.rows) {
    const side = plan.rank.order === "largest" ? "highest" : "lowest";
    return `the ${plan.rank.n} rows with the ${side} ${plan.measures[0]}`;
  }
  if (!plan.dimension) return measure;
  return `${measure} by ${dimensionLabel(plan.dimension)}${plan.series ? ` for each ${plan.series}` : ""}`;
}

/** How a date of the span reads: at the grain of the x-axis, else at the unit the column uses. */
function spanDate(iso: string, plan: AnalysisPlan, schema: DataSchema): string {
  const grain = grainOf(plan);
  if (grain) return formatDate(iso, grain);
  const column =
    plan.kind === "aggregate" && plan.dimension?.type === "date"
      ? plan.dimension.column
      : mainDate(schema)?.name;
  const resolution = schema.columns.find((c) => c.name === column)?.resolution;
  return formatDate(iso, resolution === "year" || resolution === "month" ? resolution : undefined);
}

function grainOf(plan: AnalysisPlan): TimeGrain | undefined {
  return plan.kind === "aggregate" && plan.dimension?.type === "date" ? plan.dimension.grain : undefined;
}

export function computedLine(plan: AnalysisPlan, scope: Scope, schema: DataSchema): string {
  const parts: string[] = [];
  let head = what(plan);
  const rowsRanked = plan.kind === "aggregate" && plan.rank?.rows;
  if (rowsRanked && scope.groups !== undefined) {
    head += ` among ${plural(scope.groups, "row")} with a ${(plan as AggregatePlan).measures[0]}`;
  } else if (scope.rows !== undefined) {
    const both = plan.kind === "scatter" || plan.kind === "correlation";
    head += ` over ${plural(scope.rows, "row")}${both ? " with both values" : ""}`;
  }
  if (scope.from && scope.to) {
    const [from, to] = [spanDate(scope.from, plan, schema), spanDate(scope.to, plan, schema)];
    head += from === to ? `, ${from}` : `, ${from} to ${to}`;
  }
  if (plan.filters.length) head += `, where ${filtersLabel(plan.filters)}`;
  parts.push(head);
  if (plan.kind === "aggregate") parts.push(...aggregateNotes(plan, scope));
  if (!rowsRanked) {
    for (const [column, n] of Object.entries(scope.missing ?? {})) {
      if (n > 0) parts.push(`${plural(n, "row")} with no ${column} left out`);
    }
  }
  parts.push(...computedNotes(schema, planColumns(plan)));
  return `Computed: ${parts.join("; ")}.`;
}

function aggregateNotes(plan: AggregatePlan, scope: Scope): string[] {
  const notes: string[] = [];
  const dimension = plan.dimension?.column;
  if (plan.minCount !== undefined) {
    const left = scope.small_groups ? ` (${plural(scope.small_groups, "group")} with fewer left out)` : "";
    notes.push(
      `only ${dimension ?? "group"} values with at least ${formatNumber(plan.minCount)} rows${left}`,
    );
  }
  if (plan.rank && !plan.rank.rows && scope.groups !== undefined) {
    const side = plan.rank.order === "largest" ? "highest" : "lowest";
    notes.push(
      plan.rank.which
        ? `${plural(scope.groups, "group")} ranked, ${side} first`
        : `the ${plan.rank.order === "largest" ? "top" : "bottom"} ${plan.rank.n} of ${plural(scope.groups, "group")}`,
    );
  }
  if (scope.ties) {
    notes.push(
      `${plural(scope.ties.labels.length, "entry", "entries")} tied at ${formatNumber(scope.ties.value)} for the last place, all shown`,
    );
  }
  if (scope.repeats) {
    const how =
      plan.aggregation === "sum"
        ? "added up"
        : plan.aggregation === "mean"
          ? "averaged"
          : `combined (${plan.aggregation})`;
    notes.push(
      plan.rank?.rows
        ? `${plural(scope.repeats, "name")} shown also appear${scope.repeats === 1 ? "s" : ""} on other rows`
        : `${plural(scope.repeats, `${dimension} value`)} shown stand${scope.repeats === 1 ? "s" : ""} for several rows, ${how}`,
    );
  }
  if (scope.folded) notes.push(`the smallest ${plural(scope.folded, "group")} folded into Other`);
  if (scope.series && plan.series)
    notes.push(`the 8 largest of ${formatNumber(scope.series)} ${plan.series} values shown`);
  if (scope.not_in_pie)
    notes.push(`${plural(scope.not_in_pie, "group")} at zero or below left out of the pie`);
  return notes;
}
