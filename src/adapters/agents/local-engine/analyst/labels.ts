/** Words for a plan: chart titles, axis labels and the headings of answers use the same ones. */
import type { AggregatePlan, Aggregation, Dimension, Filter, TimeGrain } from "./plan";

const AGGREGATION_WORDS: Record<Aggregation, string> = {
  sum: "Sum",
  mean: "Mean",
  median: "Median",
  count: "Count",
  nunique: "Distinct count",
  min: "Minimum",
  max: "Maximum",
};

const GRAIN_ADJECTIVES: Record<TimeGrain, string> = {
  day: "daily",
  week: "weekly",
  month: "monthly",
  quarter: "quarterly",
  year: "yearly",
};

const MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "Sum", "Mean", "Distinct count"… */
export function aggregationWord(aggregation: Aggregation): string {
  return AGGREGATION_WORDS[aggregation];
}

/** "Sum of revenue", "Number of rows", "Mean of price, volume". */
export function measureLabel(plan: Pick<AggregatePlan, "measures" | "aggregation">): string {
  if (plan.measures.length === 0) return "Number of rows";
  return `${AGGREGATION_WORDS[plan.aggregation]} of ${plan.measures.join(", ")}`;
}

/** The x-axis label: "date (monthly)", "Horsepower (range)", "region". */
export function dimensionLabel(dimension: Dimension): string {
  if (dimension.type === "date" && dimension.grain)
    return `${dimension.column} (${GRAIN_ADJECTIVES[dimension.grain]})`;
  if (dimension.type === "binned") return `${dimension.column} (range)`;
  return dimension.column;
}

/** What "by" reads as in a title: "month", "region"; "months" after "Top 5". */
function byWords(dimension: Dimension, plural = false): string {
  if (dimension.type === "date" && dimension.grain) return plural ? `${dimension.grain}s` : dimension.grain;
  if (dimension.type === "binned") return `${dimension.column} range`;
  return dimension.column;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** "Top 5 country by mean of income", "Sum of revenue by month for each region". */
export function aggregateTitle(plan: AggregatePlan): string {
  const measure = measureLabel(plan);
  if (plan.rank?.rows) {
    return `${plan.rank.order === "largest" ? "Top" : "Bottom"} ${plan.rank.n} rows by ${plan.measures[0]}`;
  }
  if (!plan.dimension) return measure;
  const series = plan.series ? ` for each ${plan.series}` : "";
  if (plan.rank?.which) {
    return `${measure} by ${byWords(plan.dimension)}${series}, ${plan.rank.order === "largest" ? "highest" : "lowest"} first`;
  }
  if (plan.rank) {
    const side = plan.rank.order === "largest" ? "Top" : "Bottom";
    return `${side} ${plan.rank.n} ${byWords(plan.dimension, plan.rank.n > 1)} by ${lowerFirst(measure)}${series}`;
  }
  return `${measure} by ${byWords(plan.dimension)}${series}`;
}

const OP_WORDS = { eq: "=", ne: "≠", gt: ">", ge: "≥", lt: "<", le: "≤" } as const;
const YEAR_WORDS = { eq: "in", gt: "after", ge: "from", lt: "before", le: "up to" } as const;

/** One filter in words: "weather is rain", "date after 2010", "Cylinders > 4". */
function filterLabel(filter: Filter): string {
  if ("values" in filter) {
    const list = filter.values.join(", ");
    if (filter.values.length > 1)
      return `${filter.column} ${filter.op === "eq" ? "is one of" : "is none of"} ${list}`;
    return `${filter.column} ${filter.op === "eq" ? "is" : "is not"} ${list}`;
  }
  if ("number" in filter) return `${filter.column} ${OP_WORDS[filter.op]} ${filter.number}`;
  if ("year" in filter) {
    const when = filter.month ? `${MONTH_NAMES[filter.month - 1]} ${filter.year}` : String(filter.year);
    return `${filter.column} ${YEAR_WORDS[filter.op]} ${when}`;
  }
  if ("date" in filter) return `${filter.column} ${YEAR_WORDS[filter.op].replace("in", "on")} ${filter.date}`;
  return `${filter.column} contains "${filter.text}"`;
}

/** All filters, joined: "weather is rain and date in 2012". */
export function filtersLabel(filters: Filter[]): string {
  return filters.map(filterLabel).join(" and ");
}
