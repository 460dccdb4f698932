/** The answer to a new table: its size, a column-by-column profile, the first rows, and what to ask next. */
import type { ColumnInfo, DataSchema } from "../data-schema";
import { exampleQuestions } from "./guide";
import { code, formatNumber, formatValue, markdownTable } from "./markdown";

const TYPE_WORDS = { number: "number", date: "date", text: "text", bool: "true/false" } as const;

function valuesSummary(column: ColumnInfo): string {
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
    lines.push(
      `It is a workbook; I read the first sheet, ${code(schema.sheets[0] as string)} (others: ${schema.sheets.slice(1).join(", ")}).`,
    );
  }
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
