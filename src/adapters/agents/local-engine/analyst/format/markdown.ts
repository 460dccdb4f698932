/** Markdown for answers: numbers people can read, dates without clock noise, tables that cannot break. */
import type { TimeGrain } from "../plan";

/** 1234567 → "1,234,567"; 3.14159 → "3.14"; 0.012345 → "0.0123". */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (Number.isInteger(value)) return value.toLocaleString("en-US");
  const digits = abs >= 1000 ? 1 : abs >= 1 ? 2 : abs >= 0.01 ? 4 : 6;
  return value.toLocaleString("en-US", { maximumFractionDigits: digits });
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?$/;

/** An ISO timestamp as the grain it stands for: "2012-03", "2012 Q1", "2012", or a date (with time if any). */
export function formatDate(iso: string, grain?: TimeGrain): string {
  const m = ISO.exec(iso);
  if (!m) return iso;
  const [, year, month, day, hh, mm, ss] = m as unknown as string[];
  if (grain === "year") return `${year}`;
  if (grain === "quarter") return `${year} Q${Math.floor((Number(month) - 1) / 3) + 1}`;
  if (grain === "month") return `${year}-${month}`;
  const date = `${year}-${month}-${day}`;
  return hh === "00" && mm === "00" && ss === "00" ? date : `${date} ${hh}:${mm}`;
}

/** Any cell value as text. */
export function formatValue(value: unknown, grain?: TimeGrain): string {
  if (value === null || value === undefined) return "–";
  if (typeof value === "number") return formatNumber(value);
  if (typeof value === "string") return ISO.test(value) ? formatDate(value, grain) : value;
  return String(value);
}

function escapeCell(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const short = flat.length > 60 ? `${flat.slice(0, 57)}…` : flat;
  return short.replace(/\\/g, "\\\\").replace(/\|/g, "\\|") || " ";
}

/**
 * A Markdown table. Rows beyond `limit` are summarised in a line under it; with `latest`, the last rows are the
 * ones shown (the recent end of a time series).
 */
export function markdownTable(headers: string[], rows: string[][], limit = 25, latest = false): string {
  const shown = rows.length <= limit ? rows : latest ? rows.slice(-limit) : rows.slice(0, limit);
  const lines = [
    `| ${headers.map(escapeCell).join(" | ")} |`,
    `| ${headers.map(() => "---").join(" | ")} |`,
    ...shown.map((row) => `| ${row.map(escapeCell).join(" | ")} |`),
  ];
  if (rows.length > limit) {
    const rest = formatNumber(rows.length - limit);
    lines.push(
      "",
      latest ? `(the last ${limit} of ${formatNumber(rows.length)} rows)` : `…and ${rest} more rows.`,
    );
  }
  return lines.join("\n");
}

/** `code` for names in running text; backticks inside are dropped. */
export function code(text: string): string {
  return `\`${text.replace(/`/g, "")}\``;
}
