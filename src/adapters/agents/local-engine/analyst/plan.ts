/**
 * What the offline analyst decided to do for one question: the result of parsing, the input of code generation
 * and answer formatting. Column names here are the real names from the data.
 */

export type Aggregation = "sum" | "mean" | "median" | "count" | "nunique" | "min" | "max";
export type ChartKind = "line" | "bar" | "pie" | "area";
export type TimeGrain = "day" | "week" | "month" | "quarter" | "year";

/** Keeps rows where a column compares to a value. */
export type Filter =
  | { column: string; op: "eq" | "ne"; values: string[]; exact: boolean }
  | { column: string; op: "gt" | "ge" | "lt" | "le" | "eq" | "ne"; number: number }
  /** On a date column: whole years, or a date (ISO) for before/after. */
  | { column: string; op: "gt" | "ge" | "lt" | "le" | "eq"; year: number; month?: number }
  | { column: string; op: "gt" | "ge" | "lt" | "le"; date: string }
  | { column: string; op: "contains"; text: string };

/** How rows are grouped on the x-axis. */
export type Dimension =
  | { type: "category"; column: string }
  /** Dates, bucketed by `grain` (none: every distinct date). */
  | { type: "date"; column: string; grain?: TimeGrain }
  /** A number with few distinct values (years, counts): each value is a group, in order. */
  | { type: "ordinal"; column: string }
  /** A number with many distinct values: cut into equal-width ranges. */
  | { type: "binned"; column: string; bins: number };

/** What every analysis plan carries besides its own fields. */
interface PlanBase {
  filters: Filter[];
  /** Words of the question that played no part, so the answer can say so. */
  ignored?: string[];
}

export interface AggregatePlan extends PlanBase {
  kind: "aggregate";
  /** Empty: count rows. */
  measures: string[];
  aggregation: Aggregation;
  /** Absent: one number for all rows. */
  dimension?: Dimension;
  /** "for each <series>": one line or bar group per value. */
  series?: string;
  chart: ChartKind | "none";
  /**
   * Top or bottom n; `which` for "which … has the highest …", answered by the first of the ranking; `rows` ranks
   * the rows themselves ("top 5 cars by horsepower"), labelled by `dimension`, instead of groups.
   */
  rank?: { n: number; order: "largest" | "smallest"; which?: boolean; rows?: boolean };
  /** Only groups with at least this many rows ("with at least 50 movies"). */
  minCount?: number;
}

export interface HistogramPlan extends PlanBase {
  kind: "histogram";
  column: string;
  bins: number;
  group?: string;
}

export interface ScatterPlan extends PlanBase {
  kind: "scatter";
  x: string;
  y: string;
  group?: string;
}

export interface CorrelationPlan extends PlanBase {
  kind: "correlation";
  /** Two columns: their coefficient and a scatter with a trend line; more: a matrix. */
  columns: string[];
}

export interface OverviewPlan {
  kind: "overview";
}

/** A reply that lists what the offline analyst can do (for "help"), with a reason when there is one. */
export interface HelpPlan {
  kind: "help";
  reason?: string;
}

/**
 * A question the analyst will not guess at: what it understood, what it did not, and questions close to it that
 * it can answer (each one parses to an analysis).
 */
export interface DeclinePlan {
  kind: "decline";
  understood?: string;
  problems: string[];
  suggestions: string[];
  /** The question needs a language model, not a template. */
  beyond?: boolean;
}

/** "show the code": the code behind the last answer. */
export interface CodePlan {
  kind: "code";
}

/** "dates are day-first", "decimal comma": read the table again another way. */
export interface RereadPlan {
  kind: "reread";
  dayfirst?: boolean;
  decimal?: "," | ".";
}

export type AnalysisPlan = AggregatePlan | HistogramPlan | ScatterPlan | CorrelationPlan;
export type Plan = AnalysisPlan | OverviewPlan | HelpPlan | DeclinePlan | CodePlan | RereadPlan;
