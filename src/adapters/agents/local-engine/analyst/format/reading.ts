/**
 * How a file was read, in words: what the overview says about the delimiter, decimal marks, date orders and
 * skipped rows, and the short notes an answer adds for the columns it used. Every reading the values left open
 * is said, with the words that read it the other way.
 */
import type { ColumnReading, DataSchema } from "../data-schema";
import { code, formatNumber } from "./markdown";

const DELIMITERS: Record<string, string> = {
  ",": "comma-separated",
  ";": "semicolon-separated",
  "\t": "tab-separated",
  "|": "separated by | characters",
};

const ORDER_EXAMPLES: Record<string, string> = {
  DMY: "day-first (31.01.2024 is 31 January 2024)",
  MDY: "month-first (01/31/2024 is 31 January 2024)",
};

/** What a person types to read the dates or numbers the other way. */
const OTHER_WAY = {
  DMY: '"dates are month-first"',
  MDY: '"dates are day-first"',
  ",": '"decimal point"',
  ".": '"decimal comma"',
} as const;

function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatNumber(n)} ${n === 1 ? one : many}`;
}

function dateNote(name: string, r: ColumnReading): string | undefined {
  const order = r.order;
  if (order !== "DMY" && order !== "MDY") return undefined;
  if (r.ambiguous) {
    const other = order === "DMY" ? "month-first" : "day-first";
    return (
      `${code(name)}: every date, such as ${code(r.example ?? "")}, fits both day-first and month-first; ` +
      `I read them ${order === "DMY" ? "day-first" : "month-first"}. Say ${OTHER_WAY[order]} to read them ${other}.`
    );
  }
  const how = r.chosen ? "as you said" : "from the values";
  return `${code(name)}: dates read ${ORDER_EXAMPLES[order]}, ${how}.`;
}

function numberNote(name: string, r: ColumnReading): string | undefined {
  const parts: string[] = [];
  if (r.decimal === "," && r.decimals) parts.push("decimal commas (1.234,56 is 1234.56)");
  if (r.decimal === "," && r.thousands && !r.decimals)
    parts.push("dots as thousands separators (1.500 is 1500)");
  if (r.decimal === "." && r.thousands) parts.push("commas as thousands separators (1,234.5 is 1234.5)");
  const symbols = (r.symbols ?? "").replace("%", "");
  if (symbols) parts.push(`currency signs (${symbols}) dropped`);
  if (r.symbols?.includes("%")) parts.push("percent signs dropped (12% is 12)");
  let note = parts.length ? `${code(name)}: ${parts.join(", ")}.` : undefined;
  if (r.ambiguous && r.example) {
    const reading = r.decimal === "," ? "a thousands separator" : "a decimal mark";
    note =
      `${note ? `${note} ` : ""}Values of ${code(name)} such as ${code(r.example)} could have a decimal mark or a ` +
      `thousands separator; I read the mark as ${reading}. Say ${OTHER_WAY[r.decimal ?? "."]} to read it the other way.`;
  }
  return note;
}

/** Sentences for the overview: how the file was read, one judgement each. */
export function readingNotes(schema: DataSchema): string[] {
  const r = schema.reading;
  const notes: string[] = [];
  const delimited = r.delimiter && r.delimiter !== "," ? `${DELIMITERS[r.delimiter]} text` : undefined;
  if (delimited || r.encoding) {
    const encoding = r.encoding ? (delimited ? ` (${r.encoding})` : `${r.encoding} text`) : "";
    notes.push(`Read as ${delimited ?? ""}${encoding}.`);
  }
  if (r.skipped_lines) notes.push(`Skipped ${plural(r.skipped_lines, "line")} above the header.`);
  if (r.header === false) notes.push("The first line holds values, not names, so the columns are numbered.");
  if (r.blank_rows) notes.push(`Skipped ${plural(r.blank_rows, "empty row")}.`);
  if (r.bad_lines) {
    notes.push(
      `**${plural(r.bad_lines, "line")} had more fields than the header and ${r.bad_lines === 1 ? "was" : "were"} left out.**`,
    );
  }
  if (r.dropped?.length) notes.push(`Dropped ${plural(r.dropped.length, "empty column")} without a name.`);
  for (const [name, c] of Object.entries(r.columns ?? {})) {
    const note = c.as === "date" ? dateNote(name, c) : c.as === "number" ? numberNote(name, c) : undefined;
    if (note) notes.push(note);
    if (c.utc) notes.push(`${code(name)}: times with a zone were converted to UTC.`);
    if (c.unread_rows) {
      const kind = c.as === "date" ? "dates" : "numbers";
      notes.push(
        `${code(name)}: ${plural(c.unread_rows, "value")} that ${c.unread_rows === 1 ? "is" : "are"} not ${kind} count as missing.`,
      );
    }
    if (c.mixed_decimals)
      notes.push(`${code(name)} mixes decimal commas and decimal points, so I left it as text.`);
    if (c.mixed_date_orders)
      notes.push(`${code(name)} mixes day-first and month-first dates, so I left it as text.`);
  }
  return notes;
}

/** Short notes for an answer about the columns it used: "decimal commas read as decimals". */
export function computedNotes(schema: DataSchema, columns: string[]): string[] {
  const notes: string[] = [];
  if (schema.reading.streamed) notes.push("the file read chunk by chunk, as it is too big to hold");
  for (const name of new Set(columns)) {
    const r = schema.reading.columns?.[name];
    if (!r) continue;
    if (r.as === "number" && r.decimal === "," && r.decimals)
      notes.push(`decimal commas in ${name} read as decimals`);
    else if (r.as === "number" && r.decimal === "," && r.thousands)
      notes.push(`dots in ${name} read as thousands`);
    if (r.as === "number" && r.ambiguous)
      notes.push(`${name} read with ${r.decimal === "," ? "decimal commas" : "decimal points"} (ambiguous)`);
    if (r.as === "date" && (r.order === "DMY" || r.order === "MDY")) {
      const order = r.order === "DMY" ? "day-first" : "month-first";
      notes.push(
        r.ambiguous
          ? `${name} read ${order}, which its values leave open (say ${OTHER_WAY[r.order]} to switch)`
          : `${name} read ${order}`,
      );
    }
    if (r.unread_rows) notes.push(`${formatNumber(r.unread_rows)} unreadable values of ${name} left out`);
  }
  return notes;
}
