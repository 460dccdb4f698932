/**
 * A plan as the question that asks for it ("average temp_max by weather where weather is rain"): what the
 * analyst tells a person it understood, and the form of the questions it suggests when it declines. The parser
 * reads these questions back into the same plan.
 */
import type { AggregatePlan, Aggregation, AnalysisPlan, Filter } from "../plan";

const AGGREGATION_WORDS: Record<Aggregation, string> = {
  sum: "total",
  mean: "average",
  median: "median",
  min: "minimum",
  max: "maximum",
  count: "number of rows",
  nunique: "number of distinct",
};

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const WORDS = { gt: ">", ge: ">=", lt: "<", le: "<=", eq: "=", ne: "!=" } as const;

function filterWords(filter: Filter): string {
  if ("values" in filter) {
    const values = filter.values.join(filter.op === "eq" ? " or " : " nor ");
    return `where ${filter.column} ${filter.op === "eq" ? "is" : "is not"} ${values}`;
  }
  if ("number" in filter) return `where ${filter.column} ${WORDS[filter.op]} ${filter.number}`;
  if ("year" in filter) {
    const when = filter.month ? `${MONTHS[filter.month - 1]} ${filter.year}` : String(filter.year);
    const word = { eq: "in", gt: "after", ge: "from", lt: "before", le: "until" }[filter.op];
    return `${word} ${when}`;
  }
  if ("date" in filter)
    return `${{ gt: "after", ge: "since", lt: "before", le: "until" }[filter.op]} ${filter.date}`;
  return `where ${filter.column} contains ${filter.text}`;
}

function by(plan: AggregatePlan): string {
  const dimension = plan.dimension;
  if (!dimension) return "";
  if (dimension.type === "date" && dimension.grain) return ` by ${dimension.grain}`;
  return ` by ${dimension.column}`;
}

function aggregateQuestion(plan: AggregatePlan): string {
  const measures = plan.measures.join(" and ");
  const what =
    plan.measures.length === 0
      ? "number of rows"
      : plan.aggregation === "count"
        ? `number of rows with a ${measures}`
        : `${AGGREGATION_WORDS[plan.aggregation]} ${measures}`;
  if (plan.rank?.rows) {
    return `${plan.rank.order === "largest" ? "top" : "bottom"} ${plan.rank.n} rows by ${plan.measures[0]}`;
  }
  if (plan.rank?.which && plan.dimension) {
    const thing =
      plan.dimension.type === "date" && plan.dimension.grain ? plan.dimension.grain : plan.dimension.column;
    if (plan.measures.length === 0)
      return `which ${thing} has the ${plan.rank.order === "largest" ? "most" : "fewest"} rows`;
    return `which ${thing} has the ${plan.rank.order === "largest" ? "highest" : "lowest"} ${what}`;
  }
  if (plan.rank && plan.dimension) {
    const side = plan.rank.order === "largest" ? "top" : "bottom";
    const thing =
      plan.dimension.type === "date" && plan.dimension.grain
        ? `${plan.dimension.grain}s`
        : plan.dimension.column;
    return `${side} ${plan.rank.n} ${thing} by ${what}`;
  }
  const chart = plan.chart === "pie" || plan.chart === "area" ? `${plan.chart} chart of ` : "";
  return `${chart}${what}${by(plan)}${plan.series ? ` for each ${plan.series}` : ""}`;
}

/** The question that asks for a plan. */
export function questionFor(plan: AnalysisPlan): string {
  let question: string;
  switch (plan.kind) {
    case "aggregate":
      question = aggregateQuestion(plan);
      if (plan.minCount !== undefined) question += `, with at least ${plan.minCount} rows`;
      break;
    case "histogram":
      question = `histogram of ${plan.column}${plan.group ? ` for each ${plan.group}` : ""}`;
      break;
    case "scatter":
      question = `scatter of ${plan.y} vs ${plan.x}`;
      break;
    case "correlation":
      question =
        plan.columns.length === 2
          ? `correlation between ${plan.columns[0]} and ${plan.columns[1]}`
          : "correlation matrix";
      break;
  }
  const filters = plan.filters.map(filterWords);
  const where = filters
    .filter((f) => f.startsWith("where "))
    .map((f, i) => (i === 0 ? f : f.replace(/^where /, "and ")));
  const when = filters.filter((f) => !f.startsWith("where "));
  return [question, ...when, ...where].join(" ");
}
