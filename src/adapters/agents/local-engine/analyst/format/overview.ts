/** The answer to a new table: its size, a column-by-column profile, the first rows, and what to ask next. */
import type { ColumnInfo, DataSchema } from "../data-schema";
import { exampleQuestions } from "./guide";
import { readingNotes } from "./reading";
import { code, formatNumber, formatValue, markdownTable } from "./markdown";

const TYPE_WORDS = { number: "number", date: "date", text: "text", bool: "true/false" } as const;

function valuesSummary(column: ColumnInfo): string {
  if (column.deferred) return "mostly different values (read when a question uses them)";
  if (column.kind === "number" && typeof column.min === "number" && typeof column.max === "number") {
    const mean = typeof column.mean === "number" ? `, mean ${formatNumber(column.mean)}` : "";
    return `${formatNumber(column.min)} to ${formatNumber(column.max)}${mean}`;
  }
  if (column.kind === "date" && column.min && column.max)
    return `${formatValue(column.min)} to ${formatValue(column.max)}`;
  if (column.values) {
    const shown = column.values.slice(0, 5).join(", ");
    return `${formatNumber(column.unique)} distinct: ${shown}${column.values.length > 5 ? ", …" : ""}`;
  }
  return `${formatNumber(column.unique)} distinct`;
}

function missingSummary(column: ColumnInfo, rows: number): string {
  if (column.deferred) return column.missing === 0 ? "0" : `about ${formatNumber(column.missing)}`;
  if (column.missing === 0) return "0";
  const share = rows ? ` (${((100 * column.missing) / rows).toFixed(1)}%)` : "";
  return `${formatNumber(column.missing)}${share}`;
}

/** The overview; `chartTitle` names the chart the same turn drew, if any. */
export function overviewText(schema: DataSchema, chartTitle?: string, otherTables: string[] = []): string {
  const lines = [
    `**${schema.file}** has ${formatNumber(schema.rows)} rows and ${formatNumber(schema.columns.length)} columns.`,
  ];
  if (schema.sheets && schema.sheets.length > 1) {
    const sheet = schema.sheet ?? (schema.sheets[0] as string);
    const others = schema.sheets.filter((s) => s !== sheet);
    lines.push(
      `It is a workbook; I read the sheet ${code(sheet)} (others: ${others.join(", ")}; name one in a question to use it).`,
    );
  }
  if (schema.reading.streamed) lines.push("", streamedNotice(schema));
  const notes = readingNotes(schema);
  if (notes.length) lines.push("", "How I read it:", ...notes.map((n) => `- ${n}`));
  if (otherTables.length)
    lines.push(`You also shared ${otherTables.join(", ")}: name a file in your question to use it.`);
  lines.push(
    "",
    markdownTable(
      ["Column", "Type", "Missing", "Values"],
      schema.columns.map((c) => [
        c.name,
        TYPE_WORDS[c.kind],
        missingSummary(c, schema.rows),
        valuesSummary(c),
      ]),
      60,
    ),
  );
  if (schema.sample.data.length) {
    lines.push(
      "",
      "First rows:",
      "",
      markdownTable(
        schema.sample.columns,
        schema.sample.data.map((row) => row.map((v) => formatValue(v))),
      ),
    );
  }
  if (chartTitle) lines.push("", `Chart: ${chartTitle}.`);
  const examples = exampleQuestions(schema);
  if (examples.length) lines.push("", "Try asking:", ...examples.slice(0, 5).map((e) => `- "${e}"`));
  return lines.join("\n");
}

/** What holds for a table too big to keep in memory. */
export function streamedNotice(schema: DataSchema): string {
  return (
    `**${schema.file}** is too big to hold in this session's memory at once, so I read it again in chunks for ` +
    "every question: sums, counts, averages, minimum and maximum work (by group, over time, with filters); medians, " +
    "distinct counts, scatter plots and correlations do not. Raise `SANDBOX_MEMORY_MB` to hold it whole."
  );
}
