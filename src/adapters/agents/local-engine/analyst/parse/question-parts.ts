/**
 * The pieces of a question: its series ("for each …"), filters and ranking cut out first, then the columns its
 * words name, and the words for charts, aggregations and time grains.
 */
import type { ColumnInfo, DataSchema } from "../data-schema";
import type { AggregatePlan, Aggregation, ChartKind, Filter, TimeGrain } from "../plan";
import { findMentions, matchColumn, type Mention } from "./columns";
import { blank, extractFilters } from "./filters";
import { isFiller, isKeyword, singular, tokenize } from "./words";

/** Lowercased, same length as the question (so positions map back to the original capitals). */
export function normalizeQuestion(question: string): string {
  return question.replace(/[“”]/g, '"').replace(/[‘’]/g, "'").replace(/[–—]/g, "-").toLowerCase();
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

export interface Parts {
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

export function isNumeric(c: ColumnInfo): boolean {
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
export function roleOf(
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
export function unknownPhrase(tokens: string[], mentions: Mention[]): string | undefined {
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
export function strayWords(tokens: string[], mentions: Mention[]): string[] {
  const used = (i: number) => mentions.some((m) => i >= m.start && i < m.end);
  return tokens.filter(
    (w, i) => !used(i) && w !== ";" && !isFiller(w) && !isKeyword(w) && !/^\d/.test(w) && w.length > 1,
  );
}

export function explicitChart(text: string): (typeof CHART_WORDS)[number][1] | undefined {
  return CHART_WORDS.find(([pattern]) => pattern.test(text))?.[1];
}

export function explicitAggregation(tokens: string[], mentions: Mention[]): Aggregation | undefined {
  const free = tokens.map((t, i) => (mentions.some((m) => i >= m.start && i < m.end) ? ";" : t)).join(" ");
  return AGGREGATIONS.find(([pattern]) => pattern.test(free))?.[1];
}

export function parts(question: string, schema: DataSchema): Parts {
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
