/**
 * The pieces of a question: its series ("for each …"), filters, group condition and ranking cut out first,
 * then the columns its words name, the words for charts, aggregations and time grains, and the words that name
 * the table's rows ("cars", "days", "movies"). What no piece explains is kept, so the parser can decline
 * rather than guess.
 */
import type { ColumnInfo, DataSchema } from "../data-schema";
import type { AggregatePlan, Aggregation, ChartKind, Filter, TimeGrain } from "../plan";
import { findMentions, matchColumn, type Mention } from "./columns";
import { blank, extractFilters } from "./filters";
import { isFiller, isHarmless, isKeyword, singular, tokenize } from "./words";

/** Lowercased, same length as the question (so positions map back to the original capitals). */
export function normalizeQuestion(question: string): string {
  return question.replace(/[“”]/g, '"').replace(/[‘’]/g, "'").replace(/[–—]/g, "-").toLowerCase();
}

export type ChartWord = ChartKind | "histogram" | "scatter" | "correlation" | "table";

const CHART_WORDS: [RegExp, ChartWord][] = [
  [/\bcorrelat\w*|\brelationship\b|\brelated\b|\bcorr\b/, "correlation"],
  [/\bscatter\w*/, "scatter"],
  [/\bhistogram\w*|\bdistribution\b|\bhist\b|\bspread of\b/, "histogram"],
  [/\bpie\b|\bdonut\b|\bdoughnut\b|\bshare of\b/, "pie"],
  [/\barea\s+(?:chart|graph|plot)\b|\bstacked area\b|\barea\b(?=.*\b(?:of|by|over)\b)/, "area"],
  [/\bline\b|\btrend\b|\bover time\b|\btime series\b|\btimeline\b/, "line"],
  [/\bbar\b|\bbars\b|\bcolumn (?:chart|graph)\b|\bbar ?chart\b/, "bar"],
  [/\btable\b|\blist\b/, "table"],
];

/** Aggregation words; "highest"/"lowest" name one only outside a ranking ("highest temp per year"). */
const AGGREGATIONS: [RegExp, Aggregation][] = [
  [/\b(?:unique|distinct)\b/, "nunique"],
  [/\b(?:average|avg|mean)\b/, "mean"],
  [/\bmedian\b/, "median"],
  [/\b(?:sum|total)\b/, "sum"],
  [/\b(?:count|number of|how many|frequency|frequencies)\b/, "count"],
  [/\b(?:min|minimum|lowest|smallest)\b/, "min"],
  [/\b(?:max|maximum|peak|highest|largest|biggest)\b/, "max"],
];

const GRAIN_WORDS: Record<string, TimeGrain> = {
  daily: "day",
  day: "day",
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
const GRAIN_ADJECTIVES = new Set(["daily", "weekly", "monthly", "quarterly", "yearly", "annual", "annually"]);

/** Words that put the next column on the x-axis. */
const DIMENSION_CONNECTORS = new Set(["by", "per", "across", "over", "within"]);
const VERSUS_CONNECTORS = new Set(["vs", "versus", "against"]);

/** Generic names for the rows of any table. */
const ROW_WORDS = new Set(
  "row record entry item line observation case event transaction sample result occurrence time".split(" "),
);

export type Rank = NonNullable<AggregatePlan["rank"]>;

export interface Parts {
  text: string;
  tokens: string[];
  mentions: Mention[];
  filters: Filter[];
  problems: string[];
  series?: ColumnInfo;
  rank?: Rank;
  /** Only groups with at least this many rows. */
  minCount?: number;
  grain?: TimeGrain;
  /** "over time", "trend": dates on the x-axis. */
  overTime: boolean;
  /** Token positions that name the table's rows ("how many cars", "top 5 movies"). */
  rowUnit: number[];
  /** "how many cars" counts rows; "how many states" counts distinct values. */
  countsRows: boolean;
  /** Token positions that name a grain used as the x-axis ("by month", "monthly", "top 5 months"). */
  grainAt: number[];
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

const LARGEST = "highest|most|largest|biggest|greatest|longest|tallest|heaviest|best|top|maximum|max";
const SMALLEST = "lowest|least|smallest|fewest|shortest|lightest|worst|bottom|minimum|min";

/** "top 5", "bottom 3", "5 highest", "which region has the highest …". */
function extractRank(text: string): { text: string; rank?: Rank } {
  const order = (word: string): Rank["order"] =>
    new RegExp(`^(?:${SMALLEST})$`).test(word) ? "smallest" : "largest";
  const top = new RegExp(`\\b(top|bottom|${LARGEST}|${SMALLEST})\\s+(\\d{1,3})\\b`).exec(text);
  if (top) {
    const rank = { n: Number(top[2]), order: order(top[1] as string) };
    return { text: blank(text, top.index, top.index + top[0].length), rank };
  }
  const after = new RegExp(`\\b(\\d{1,3})\\s+(${LARGEST}|${SMALLEST})\\b`).exec(text);
  if (after) {
    const rank = { n: Number(after[1]), order: order(after[2] as string) };
    return { text: blank(text, after.index, after.index + after[0].length), rank };
  }
  const word = /^\s*(?:top|bottom)\b/.exec(text) ?? /\b(?:the\s+)?(?:top|bottom)\b(?!\s+of\b)/.exec(text);
  if (word) {
    return {
      text: blank(text, word.index, word.index + word[0].length),
      rank: { n: 10, order: order(word[0].trim().split(/\s+/).pop() as string) },
    };
  }
  // "which region has the highest sales": the whole ranking, led by the answer.
  const which = new RegExp(
    `\\b(?:which|what)\\b.*?\\b(?:has|had|have|with|is|was|gets?|got|shows?|sees?|sold|made)\\s+(?:the\\s+)?(${LARGEST}|${SMALLEST})\\b`,
  ).exec(text);
  if (which) {
    const at = which.index + which[0].length - (which[1] as string).length;
    return {
      text: blank(text, at, at + (which[1] as string).length),
      rank: { n: 10, order: order(which[1] as string), which: true },
    };
  }
  return { text };
}

/** Positions of grain words used as grains: after "by"/"per"/"each", as adjectives, or what a ranking ranks. */
function grainPositions(tokens: string[], mentions: Mention[], ranked: boolean): number[] {
  const free = (i: number) => !mentions.some((m) => i >= m.start && i < m.end);
  const at: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const word = tokens[i] as string;
    const grain = GRAIN_WORDS[word] ?? GRAIN_WORDS[singular(word)];
    if (!grain || !free(i)) continue;
    const before = tokens[i - 1] ?? "";
    const connected = DIMENSION_CONNECTORS.has(before) || ["each", "every", "a", "the"].includes(before);
    const whichGrain = ["which", "what"].includes(before);
    // "top 5 months" (the ranking was cut out, leaving a barrier right before the grain).
    const rankedGrain = ranked && (before === ";" || i === 0);
    if (connected || whichGrain || rankedGrain || GRAIN_ADJECTIVES.has(word)) at.push(i);
  }
  return at;
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
  const each = ["each", "every"].includes(tokens[mention.start - 1] ?? "");
  // "of each island", "on each island", "in each state": one group per value.
  if (each && ["of", "on", "in", "for"].includes(word)) return "dimension";
  if (DIMENSION_CONNECTORS.has(word)) return "dimension";
  if (VERSUS_CONNECTORS.has(word)) return "versus";
  if (word === "and" && previous) return previous.role as "subject" | "dimension" | "versus";
  return "subject";
}

/** Words that name the table's rows: its file name ("cars"), generic ones ("rows"), or its date unit ("days"). */
function rowUnitWords(schema: DataSchema, unit?: string): { has(word: string): boolean } {
  const words = new Set(ROW_WORDS);
  const stems = tokenize(schema.file.replace(/\.[^.]+$/, ""))
    .filter((w) => w !== ";" && w.length > 2)
    .map(singular);
  for (const stem of stems) words.add(stem);
  const date = schema.columns.find((c) => c.kind === "date");
  if (date?.resolution === "day") words.add("day");
  if (date?.resolution === "month") words.add("month");
  if (date?.resolution === "year") words.add("year");
  if (unit) words.add(singular(unit));
  // "strikes" in birdstrikes.csv.
  return { has: (word) => words.has(word) || (word.length >= 4 && stems.some((s) => s.endsWith(word))) };
}

const COLUMN_SLOT = new Set(
  "by per across over within vs versus against sum total average avg mean median min minimum max maximum".split(
    " ",
  ),
);

/** Positions of words naming the rows ("how many cars", "top 5 movies", "rainy days"), not where a column goes. */
function rowUnitPositions(
  tokens: string[],
  mentions: Mention[],
  schema: DataSchema,
  unit?: string,
): number[] {
  const names = rowUnitWords(schema, unit);
  const at: number[] = [];
  tokens.forEach((word, i) => {
    if (mentions.some((m) => i >= m.start && i < m.end) || !names.has(singular(word))) return;
    // "sum of sales", "by day": where a column is expected, the word is not the rows' name.
    const before = tokens[i - 1] ?? "";
    const counted = before === "of" && ["number", "count", "numbers", "counts"].includes(tokens[i - 2] ?? "");
    if ((before === "of" && !counted) || COLUMN_SLOT.has(before)) return;
    at.push(i);
  });
  return at;
}

export function explicitChart(text: string): ChartWord | undefined {
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
  const grainAt = grainPositions(tokens, mentions, Boolean(ranked.rank));
  const rowUnit = rowUnitPositions(tokens, mentions, schema, filtered.unit).filter(
    (i) => !grainAt.includes(i),
  );
  const grainWord = grainAt.map((i) => tokens[i] as string)[0];
  const counting = /\b(?:how many|number of|count of|count the|count)\b/.test(text);
  return {
    text,
    tokens,
    mentions,
    filters: filtered.filters,
    problems: filtered.problems,
    series: series.series,
    rank: ranked.rank,
    minCount: filtered.minCount,
    grain: grainWord ? (GRAIN_WORDS[grainWord] ?? GRAIN_WORDS[singular(grainWord)]) : undefined,
    overTime: /\bover time\b|\btime series\b|\btrends?\b|\btimeline\b/.test(text),
    rowUnit,
    countsRows: counting && (rowUnit.length > 0 || filtered.minCount !== undefined),
    grainAt,
  };
}

/** Words that neither the request vocabulary, a column, the rows' name nor a cut-out piece explains. */
export function unexplainedWords(p: Parts): string[] {
  const used = (i: number) =>
    p.mentions.some((m) => i >= m.start && i < m.end) || p.rowUnit.includes(i) || p.grainAt.includes(i);
  return p.tokens.filter(
    (w, i) =>
      !used(i) &&
      w !== ";" &&
      !isFiller(w) &&
      !(isKeyword(w) && !UNSUPPORTED.has(w)) &&
      !isHarmless(w) &&
      !(w.length === 1 && !/\d/.test(w)),
  );
}

/** Request words for things the offline analyst does not draw or compute. */
const UNSUPPORTED = new Set(["heatmap"]);
