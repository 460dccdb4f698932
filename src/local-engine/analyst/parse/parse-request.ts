/**
 * Turns a question into a plan against a known table. Order matters: series ("for each …") and filters are cut
 * out first, then the words left are read as columns, connectors ("by", "over", "vs"), aggregation, chart kind,
 * time grain and ranking.
 */
import {
  type ColumnInfo,
  type DataSchema,
  isAdditive,
  isYearLike,
  mainCategory,
  mainDate,
  measures,
} from "../data-schema";
import type { Aggregation, AggregatePlan, ChartKind, Dimension, Filter, Plan, TimeGrain } from "../plan";
import { findMentions, matchColumn, type Mention } from "./columns";
import { blank, extractFilters } from "./filters";
import { isFiller, isKeyword, singular, tokenize } from "./words";

/** Tasks that need a language model, not a template. */
const BEYOND =
  /\b(forecast\w*|predict\w*|regression|cluster\w*|classif\w*|train\w*|neural|machine learning|anomal\w*|outliers?|why|explain\w*|recommend\w*|optimi[sz]\w*|simulat\w*|translat\w*|sentiment)\b/;

const HELP = /^(help|\?|what can you do|how does this work|what do you (do|support)|commands|usage)\b/;
const OVERVIEW =
  /^(?:(?:take|have) a look|look at (?:this|it)|overview|summary|summari[sz]e|describe|profile|explore|analy[sz]e|what(?:'s| is) in (?:this|the|here)|tell me about|show (?:me )?the (?:data|file|table)|columns)\b/;

/** Lowercased, same length as the question (so positions map back to the original capitals). */
export function normalizeQuestion(question: string): string {
  return question.replace(/[“”]/g, '"').replace(/[‘’]/g, "'").replace(/[–—]/g, "-").toLowerCase();
}

/** True for an empty or generic message ("take a look", "here's the file") that should get an overview. */
export function isGenericRequest(question: string): boolean {
  const text = normalizeQuestion(question)
    .trim()
    .replace(/[.!?]+$/, "");
  if (text === "") return true;
  if (OVERVIEW.test(text.replace(/^(?:please|pls|can you|could you|hey|hi|ok)\s+/, ""))) return true;
  return (
    /^(?:here(?:'s| is| are)?|attached|see attached|fyi|thoughts|new data|this|the file|data|hi|hello|hey)\b[^?]{0,40}$/.test(
      text,
    ) && !/\b(chart|plot|graph|by|average|sum|total|top|histogram|scatter|correlat)/.test(text)
  );
}

const CHART_WORDS: [RegExp, ChartKind | "histogram" | "scatter" | "correlation" | "table"][] = [
  [/\bcorrelat\w*|\brelationship\b|\brelated\b|\bcorr\b/, "correlation"],
  [/\bscatter\w*/, "scatter"],
  [/\bhistogram\w*|\bdistribution\b|\bhist\b|\bspread of\b/, "histogram"],
  [/\bpie\b|\bdonut\b|\bdoughnut\b|\bshare of\b/, "pie"],
  [/\barea\s+(?:chart|graph|plot)\b|\bstacked area\b|\barea\b(?=.*\b(?:of|by|over)\b)/, "area"],
  [/\bline\b|\btrend\b|\bover time\b|\btime series\b|\btimeline\b/, "line"],
  [/\bbar\b|\bbars\b|\bcolumn (?:chart|graph)\b|\bbar ?chart\b/, "bar"],
  [/\btable\b|\blist\b/, "table"],
];

const AGGREGATIONS: [RegExp, Aggregation][] = [
  [/\b(?:unique|distinct)\b/, "nunique"],
  [/\b(?:average|avg|mean)\b/, "mean"],
  [/\bmedian\b/, "median"],
  [/\b(?:sum|total)\b/, "sum"],
  [/\b(?:count|number of|how many|frequency|frequencies)\b/, "count"],
  [/\b(?:min|minimum)\b/, "min"],
  [/\b(?:max|maximum|peak)\b/, "max"],
];

const GRAIN_WORDS: Record<string, TimeGrain> = {
  daily: "day",
  day: "day",
  date: "day",
  weekly: "week",
  week: "week",
  monthly: "month",
  month: "month",
  quarterly: "quarter",
  quarter: "quarter",
  yearly: "year",
  annual: "year",
  annually: "year",
  year: "year",
};

/** Words that put the next column on the x-axis. */
const DIMENSION_CONNECTORS = new Set(["by", "per", "across", "over", "within"]);
const VERSUS_CONNECTORS = new Set(["vs", "versus", "against"]);

interface Parts {
  text: string;
  tokens: string[];
  mentions: Mention[];
  filters: Filter[];
  problems: string[];
  series?: ColumnInfo;
  rank?: AggregatePlan["rank"];
  grain?: TimeGrain;
  /** "over time", "trend": dates on the x-axis. */
  overTime: boolean;
}

function isNumeric(c: ColumnInfo): boolean {
  return c.kind === "number" || c.kind === "bool";
}

/** "for each symbol", "split by region", "colored by origin". */
function extractSeries(text: string, schema: DataSchema): { text: string; series?: ColumnInfo } {
  const pattern =
    /\b(?:for each|for every|per each|split by|broken down by|break(?:ing)? down by|grouped by|group(?:ed)? by each|colou?red by|by each|one (?:line|bar|series) per)\s+(?:the\s+)?([\p{L}\p{N}_ ()$%.'-]+?)(?=\s*(?:[,;]|\b(?:by|over|per|as|in|on|where|with|from|for|since|after|before|during|between|vs|versus|against)\b|$))/u;
  const match = pattern.exec(text);
  if (!match) return { text };
  const series = matchColumn(match[1] as string, schema.columns, (c) => !isNumeric(c));
  if (!series) return { text };
  return { text: blank(text, match.index, match.index + match[0].length), series };
}

/** "top 5", "bottom 3", "which region has the highest …". */
function extractRank(text: string): { text: string; rank?: AggregatePlan["rank"] } {
  const top =
    /\b(top|bottom|highest|lowest|largest|smallest|biggest|best|worst|most|least)\s+(\d{1,3})\b/.exec(text);
  if (top) {
    const order = /bottom|lowest|smallest|worst|least/.test(top[1] as string) ? "smallest" : "largest";
    return { text: blank(text, top.index, top.index + top[0].length), rank: { n: Number(top[2]), order } };
  }
  const word = /^\s*(?:top|bottom)\b/.exec(text) ?? /\b(?:the\s+)?(?:top|bottom)\b(?!\s+of\b)/.exec(text);
  if (word) {
    const order = /bottom/.test(word[0]) ? "smallest" : "largest";
    return { text: blank(text, word.index, word.index + word[0].length), rank: { n: 10, order } };
  }
  // "which region has the highest sales": the whole ranking, led by the answer.
  const which =
    /\b(?:which|what)\b.*?\b(?:has|had|have|with|is|was|gets?|got)\s+(?:the\s+)?(highest|most|largest|biggest|greatest|lowest|least|smallest|fewest)\b/.exec(
      text,
    );
  if (which) {
    const order = /lowest|least|smallest|fewest/.test(which[1] as string) ? "smallest" : "largest";
    const at = which.index + which[0].length - (which[1] as string).length;
    return { text: blank(text, at, at + (which[1] as string).length), rank: { n: 10, order, which: true } };
  }
  return { text };
}

/** The time grain the question asks for, unless a column is called that (a "year" column is a column). */
function detectGrain(tokens: string[], mentions: Mention[]): TimeGrain | undefined {
  const free = (i: number) => !mentions.some((m) => i >= m.start && i < m.end);
  let fallback: TimeGrain | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const word = tokens[i] as string;
    if (word === "date") continue;
    const grain = GRAIN_WORDS[word] ?? GRAIN_WORDS[singular(word)];
    if (!grain || !free(i)) continue;
    if (DIMENSION_CONNECTORS.has(tokens[i - 1] ?? "") || ["each", "every"].includes(tokens[i - 1] ?? ""))
      return grain;
    fallback ??= grain;
  }
  return fallback;
}

/** Which role the words just before a mention give it. */
function roleOf(
  tokens: string[],
  mention: Mention,
  previous?: { role: string },
): "subject" | "dimension" | "versus" {
  let i = mention.start - 1;
  while (i >= 0 && ["the", "a", "an", "each", "every", "all", "its", "their"].includes(tokens[i] as string))
    i--;
  const word = tokens[i] ?? "";
  if (DIMENSION_CONNECTORS.has(word)) return "dimension";
  if (VERSUS_CONNECTORS.has(word)) return "versus";
  if (word === "and" && previous) return previous.role as "subject" | "dimension" | "versus";
  return "subject";
}

/** Words that looked like a column name but matched none, right where a column was expected. */
function unknownPhrase(tokens: string[], mentions: Mention[]): string | undefined {
  const used = (i: number) => mentions.some((m) => i >= m.start && i < m.end);
  for (let i = 0; i < tokens.length; i++) {
    const before = tokens[i - 1] ?? "";
    if (!["of", "by", "per", "vs", "versus", "against", "across", "between"].includes(before)) continue;
    // "number of cars by origin": the things counted are rows, not a column.
    if (before === "of" && ["number", "count", "numbers", "counts"].includes(tokens[i - 2] ?? "")) continue;
    const words: string[] = [];
    for (let k = i; k < tokens.length; k++) {
      const w = tokens[k] as string;
      if (used(k) || w === ";" || isFiller(w) || isKeyword(w) || /^\d/.test(w)) break;
      words.push(w);
    }
    if (words.length > 0) return words.join(" ");
  }
  return undefined;
}

/** Words that are neither request words nor part of a column name. */
function strayWords(tokens: string[], mentions: Mention[]): string[] {
  const used = (i: number) => mentions.some((m) => i >= m.start && i < m.end);
  return tokens.filter(
    (w, i) => !used(i) && w !== ";" && !isFiller(w) && !isKeyword(w) && !/^\d/.test(w) && w.length > 1,
  );
}

function explicitChart(text: string): (typeof CHART_WORDS)[number][1] | undefined {
  return CHART_WORDS.find(([pattern]) => pattern.test(text))?.[1];
}

function explicitAggregation(tokens: string[], mentions: Mention[]): Aggregation | undefined {
  const free = tokens.map((t, i) => (mentions.some((m) => i >= m.start && i < m.end) ? ";" : t)).join(" ");
  return AGGREGATIONS.find(([pattern]) => pattern.test(free))?.[1];
}

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

function parts(question: string, schema: DataSchema): Parts {
  let text = normalizeQuestion(question);
  const series = extractSeries(text, schema);
  text = series.text;
  const filtered = extractFilters(text, question, schema);
  text = filtered.text;
  const ranked = extractRank(text);
  text = ranked.text;
  const tokens = tokenize(text);
  const mentions = findMentions(tokens, schema.columns);
  return {
    text,
    tokens,
    mentions,
    filters: filtered.filters,
    problems: filtered.problems,
    series: series.series,
    rank: ranked.rank,
    grain: detectGrain(tokens, mentions),
    overTime: /\bover time\b|\btime series\b|\btrends?\b|\btimeline\b/.test(text),
  };
}

/**
 * Reads a question against a table. Returns a help plan (with the reason) when the question names no column
 * it can find or asks for something the offline analyst does not do.
 */
export function parseRequest(question: string, schema: DataSchema): Plan {
  const p = parts(question, schema);
  const plan = planFor(question, p, schema);
  if (plan.kind === "help" || plan.kind === "overview") return plan;
  const stray = strayWords(p.tokens, p.mentions);
  return stray.length ? { ...plan, ignored: stray } : plan;
}

function planFor(question: string, p: Parts, schema: DataSchema): Plan {
  const trimmed = normalizeQuestion(question)
    .trim()
    .replace(/[.!?]+$/, "");
  if (HELP.test(trimmed)) return { kind: "help" };
  if (isGenericRequest(question) && p.mentions.length === 0) return { kind: "overview" };
  if (BEYOND.test(trimmed)) {
    return {
      kind: "help",
      reason: "That needs more than the built-in analyst can do without a language model.",
    };
  }
  if (p.problems.length > 0) return { kind: "help", reason: `In your filter, ${p.problems.join("; ")}.` };
  const unknown = unknownPhrase(p.tokens, p.mentions);
  if (unknown) return { kind: "help", reason: `I couldn't find a column matching "${unknown}".` };

  // Column names amid words that ask for nothing the analyst knows: not a request it can read.
  const asksForSomething =
    explicitChart(p.text) ||
    explicitAggregation(p.tokens, p.mentions) ||
    p.grain ||
    p.rank ||
    p.overTime ||
    p.filters.length > 0 ||
    p.series;
  if (!asksForSomething && strayWords(p.tokens, p.mentions).length >= 2) {
    return { kind: "help", reason: "I couldn't turn that into a chart or a summary." };
  }

  const roles: { role: "subject" | "dimension" | "versus"; mention: Mention }[] = [];
  for (const mention of p.mentions)
    roles.push({ role: roleOf(p.tokens, mention, roles[roles.length - 1]), mention });
  const pick = (m: Mention, prefer: (c: ColumnInfo) => boolean) =>
    m.columns.find(prefer) ?? (m.columns[0] as ColumnInfo);
  const subjects = roles.filter((r) => r.role === "subject").map((r) => pick(r.mention, isNumeric));
  const dimensions = roles
    .filter((r) => r.role === "dimension")
    .map((r) => pick(r.mention, (c) => !isNumeric(c)));
  const versus = roles.filter((r) => r.role === "versus").map((r) => pick(r.mention, isNumeric));
  const chart = explicitChart(p.text);
  const filters = p.filters;

  if (chart === "correlation") {
    const numeric = [...subjects, ...versus, ...dimensions].filter(isNumeric);
    const columns =
      numeric.length >= 2
        ? numeric.slice(0, 2)
        : measures(schema)
            .slice(0, 12)
            .map((c) => c.name);
    if (numeric.length >= 2)
      return { kind: "correlation", columns: numeric.slice(0, 2).map((c) => c.name), filters };
    if (columns.length < 2)
      return { kind: "help", reason: "A correlation needs at least two number columns." };
    return { kind: "correlation", columns: columns as string[], filters };
  }

  const numericPair = [...subjects, ...versus, ...dimensions].filter(isNumeric);
  if (
    chart === "scatter" ||
    (versus.length > 0 && numericPair.length >= 2 && !explicitAggregation(p.tokens, p.mentions))
  ) {
    if (numericPair.length < 2)
      return { kind: "help", reason: 'A scatter plot needs two number columns, e.g. "scatter of A vs B".' };
    const [first, second] = numericPair as [ColumnInfo, ColumnInfo];
    // "scatter of Y vs X" / "Y against X" / "Y by X": the first is the y-axis; "of A and B": A is the x-axis.
    const yFirst = versus.length > 0 || dimensions.some((d) => d === second);
    const group = p.series ?? [...subjects, ...dimensions].find((c) => !isNumeric(c));
    return {
      kind: "scatter",
      x: (yFirst ? second : first).name,
      y: (yFirst ? first : second).name,
      group: group?.name,
      filters,
    };
  }

  if (chart === "histogram") {
    const column = [...subjects, ...dimensions].find(isNumeric);
    if (column) {
      const bins = Math.max(5, Math.min(30, column.unique));
      return { kind: "histogram", column: column.name, bins, group: p.series?.name, filters };
    }
  }

  return aggregatePlan(p, schema, { subjects, dimensions: [...dimensions, ...versus], chart });
}

function aggregatePlan(
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
