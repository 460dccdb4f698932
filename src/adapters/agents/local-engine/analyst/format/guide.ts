/**
 * What the offline analyst says when it cannot answer: the kinds of requests it understands, with examples
 * that use the table's real column names, and how to connect a language model for everything else.
 */
import { type DataSchema, isAdditive, mainCategory, mainDate, mainMeasure, measures } from "../data-schema";
import { code } from "./markdown";

/** Example questions for this table, built from its own columns. */
export function exampleQuestions(schema: DataSchema): string[] {
  const measure = mainMeasure(schema);
  const second = measures(schema).find((c) => c !== measure)?.name;
  const category = mainCategory(schema);
  const date = mainDate(schema);
  const value = category?.values?.[0];
  const examples: string[] = [];
  if (!measure) {
    if (category) examples.push(`bar chart of ${category.name}`, `pie chart of ${category.name}`);
    if (date) examples.push(`count by month`);
    return examples;
  }
  const m = measure.name;
  const average = isAdditive(measure) ? "total" : "average";
  const span = date ? (Date.parse(String(date.max)) - Date.parse(String(date.min))) / (365 * 86_400_000) : 0;
  const grain = date && (date.unique <= 20 || span > 15) ? "by year" : "by month";
  if (category) examples.push(`bar chart of ${average} ${m} by ${category.name}`);
  if (date) examples.push(`line chart of ${m} ${grain}`);
  if (date && category) examples.push(`${m} ${grain} for each ${category.name}`);
  if (category) examples.push(`top ${category.unique >= 10 ? 5 : 3} ${category.name} by ${m}`);
  if (category && value) examples.push(`${average} ${m} where ${category.name} is ${value}`);
  if (date && !Number.isNaN(Date.parse(String(date.max)))) {
    const first = new Date(String(date.min)).getUTCFullYear();
    const last = new Date(String(date.max)).getUTCFullYear();
    examples.push(
      last > first
        ? `${m} ${grain} after ${first + Math.floor((last - first) / 2)}`
        : `${m} by week in ${first}`,
    );
  }
  examples.push(`histogram of ${m}`);
  if (second) examples.push(`scatter of ${m} vs ${second}`, "correlation matrix");
  if (category) examples.push(`pie chart of ${category.name}`);
  return examples.slice(0, 9);
}

/** How to get answers to any question. */
export const CONNECT_A_MODEL =
  "For other questions, connect a language model and restart databot: set `MODEL_BASE_URL`, `MODEL_NAME` and " +
  "`MODEL_API_KEY` for any OpenAI-compatible endpoint (Azure OpenAI, Ollama, vLLM, llama.cpp server, Foundry " +
  "Local), or `AZURE_AI_PROJECT_ENDPOINT` and `AZURE_AI_MODEL_DEPLOYMENT_NAME` to run on Azure AI Foundry Agent Service.";

/**
 * The kinds of requests, with placeholders in italics rather than angle brackets, which chat surfaces may take
 * for markup and drop.
 */
const KINDS = [
  '- **Charts**: "bar chart of _number_ by _column_" (also line, pie, scatter, area), "… for each _column_"',
  "- **Aggregates**: sum, mean/average, median, count, min, max of a column by another",
  '- **Rankings**: "top 5 …", "bottom 3 …", "which … has the highest …", "… with at least 10 rows"',
  '- **Filters**: "… where _column_ is _value_", "… where _column_ > 10", "… after 2010", "… in March 2012", "only _value_"',
  '- **Time series**: "monthly …", "… by day / week / month / quarter / year", "… over time"',
  '- **Distributions and relations**: "histogram of …", "scatter of … vs …", "correlation matrix"',
  '- **Follow-ups**: "now only 2014", "as a line chart", "by year instead", "top 3 only", "show the code"',
  '- **Reading**: "dates are day-first", "decimal comma": the table is read again that way',
  '- **Overview**: "overview" shows rows, columns, types, missing values and a sample',
];

/** The full guide for a table (or for no table yet). */
export function guideText(schema: DataSchema | undefined, reason?: string): string {
  const lines: string[] = [];
  if (reason) lines.push(reason, "");
  if (schema) {
    lines.push(
      `Without a language model I answer these kinds of requests about **${schema.file}**:`,
      "",
      ...KINDS,
      "",
    );
    const examples = exampleQuestions(schema);
    if (examples.length) lines.push("For example:", ...examples.map((e) => `- "${e}"`), "");
    lines.push(`Columns: ${schema.columns.map((c) => code(c.name)).join(", ")}.`, "");
  } else {
    lines.push(
      "Share a table (CSV with any delimiter, XLSX, JSON records or a text table) and I'll show an overview and a",
      "first chart. Then ask for charts, aggregates, rankings, filters, time series, histograms, scatter plots or",
      'correlations, e.g. "bar chart of revenue by region" or "monthly sales where region is West".',
      "",
    );
  }
  lines.push(CONNECT_A_MODEL);
  return lines.join("\n");
}
