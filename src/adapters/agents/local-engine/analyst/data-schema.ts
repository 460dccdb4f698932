/**
 * The shape of a loaded table as the load cell reports it, and the judgements the analyst makes from it:
 * which column is the main date, measure or category, which numbers add up, which look like years or ids.
 */
import { z } from "zod";
import { singular, tokenize } from "./parse/words";

export type ColumnKind = "number" | "date" | "text" | "bool";

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const columnSchema = z.object({
  name: z.string(),
  dtype: z.string(),
  missing: z.number(),
  unique: z.number(),
  min: scalar.optional(),
  max: scalar.optional(),
  mean: scalar.optional(),
  sum: scalar.optional(),
  /** For dates: the finest unit used ("year" when every date is a 1 January). */
  resolution: z.enum(["year", "month", "day", "time"]).optional(),
  /** Distinct values, most frequent first, for text columns with few of them. */
  values: z.array(z.string()).optional(),
  /** Not read yet (its values mostly differ, like ids): read when a question uses it; `unique` is a guess. */
  deferred: z.boolean().optional(),
});

/** How the reader read one column of text, as it reported it. */
const columnReadingSchema = z.object({
  as: z.enum(["date", "number", "text"]),
  /** Dates: "DMY", "MDY", "YMD", "YM" or "named" (month names). */
  order: z.string().optional(),
  /** The values fit more than one reading; `example` is one of them. */
  ambiguous: z.boolean().optional(),
  example: z.string().optional(),
  /** The person said how to read them. */
  chosen: z.boolean().optional(),
  /** Numbers: the decimal mark, and whether decimals and thousands separators occur. */
  decimal: z.enum([".", ","]).optional(),
  decimals: z.boolean().optional(),
  thousands: z.boolean().optional(),
  /** Currency and percent signs dropped from the values. */
  symbols: z.string().optional(),
  /** Rows whose value could not be read this way (they count as missing). */
  unread_rows: z.number().optional(),
  mixed_decimals: z.boolean().optional(),
  mixed_date_orders: z.boolean().optional(),
  utc: z.boolean().optional(),
});

const readingSchema = z.object({
  size: z.number(),
  encoding: z.string().nullable().optional(),
  delimiter: z.string().optional(),
  skipped_lines: z.number().optional(),
  header: z.boolean().optional(),
  blank_rows: z.number().optional(),
  bad_lines: z.number().optional(),
  dropped: z.array(z.string()).optional(),
  sheets: z.array(z.string()).optional(),
  sheet: z.string().optional(),
  /** Too big to hold: every question reads the file again, chunk by chunk. */
  streamed: z.boolean().optional(),
  /** Columns read only when a question uses them. */
  deferred: z.array(z.string()).optional(),
  columns: z.record(z.string(), columnReadingSchema).optional(),
});

const profileSchema = z.object({
  file: z.string(),
  rows: z.number(),
  columns: z.array(columnSchema),
  sample: z.object({
    columns: z.array(z.union([z.string(), z.number()])),
    data: z.array(z.array(scalar)),
  }),
  reading: readingSchema.optional(),
});

export type ColumnProfile = z.infer<typeof columnSchema>;
export type ColumnReading = z.infer<typeof columnReadingSchema>;
export type TableReading = z.infer<typeof readingSchema>;

export interface ColumnInfo extends ColumnProfile {
  kind: ColumnKind;
}

export interface DataSchema {
  /** The file name inside `/mnt/data`. */
  file: string;
  rows: number;
  columns: ColumnInfo[];
  sample: { columns: string[]; data: (string | number | boolean | null)[][] };
  /** Sheet names of a workbook, and the one loaded. */
  sheets?: string[];
  sheet?: string;
  /** How the file was read. */
  reading: TableReading;
}

/** The pandas dtype as one of the kinds the analyst reasons about. */
export function kindOfDtype(dtype: string): ColumnKind {
  if (/^bool/i.test(dtype)) return "bool";
  if (/^datetime64/i.test(dtype)) return "date";
  if (/^(u?int|float|Int|UInt|Float)\d*/.test(dtype)) return "number";
  return "text";
}

/** Reads the JSON the load cell printed; throws when it is not a profile. */
export function parseProfile(json: unknown): DataSchema {
  const profile = profileSchema.parse(json);
  return {
    file: profile.file.replace(/^.*\//, ""),
    rows: profile.rows,
    columns: profile.columns.map((c) => ({ ...c, kind: kindOfDtype(c.dtype) })),
    sample: { columns: profile.sample.columns.map(String), data: profile.sample.data },
    sheets: profile.reading?.sheets,
    sheet: profile.reading?.sheet,
    reading: profile.reading ?? { size: 0 },
  };
}

export function columnByName(schema: DataSchema, name: string): ColumnInfo | undefined {
  return schema.columns.find((c) => c.name === name);
}

/** Integers that look like calendar years (a "Year" column of 1900…2020). */
export function isYearLike(column: ColumnInfo): boolean {
  if (column.kind !== "number") return false;
  const { min, max } = column;
  if (typeof min !== "number" || typeof max !== "number") return false;
  return /year|yr/i.test(column.name) && Number.isInteger(min) && min >= 1000 && max <= 2999;
}

/** Row ids, codes and keys: numbers no one wants summed or charted. */
export function isIdLike(column: ColumnInfo, rows: number): boolean {
  if (
    /(^|[^a-z])(id|key|code|zip|postcode|phone)([^a-z]|$)/i.test(column.name) ||
    /[a-z]Id$/.test(column.name)
  ) {
    return true;
  }
  const { min, max } = column;
  if (column.kind !== "number" || rows <= 20 || column.unique !== rows) return false;
  // A running number 1…n (or 0…n-1) is a row number.
  return (
    typeof min === "number" && typeof max === "number" && Number.isInteger(min) && max - min === rows - 1
  );
}

const NOT_ADDITIVE = new Set(
  (
    "price rate ratio percent percentage pct avg average mean median score temp temperature age speed index per " +
    "lat latitude lon lng longitude rating margin share min max minimum maximum"
  ).split(" "),
);
const ADDITIVE = new Set(
  (
    "sale revenue amount total count quantity qty unit sold cost spend spending profit order death case population " +
    "visit view click download volume generation budget expense fee payment birth session precipitation rainfall " +
    "hour minute call ticket item sum deposit withdrawal loss gain donation contribution export import production " +
    "gross net generation vote people passenger emission " +
    // The same in the languages of European exports.
    "umsatz betrag menge anzahl summe kosten erlös ausgabe einnahme stück montant quantité vente chiffre coût " +
    "importe cantidad venta ventas coste ingreso bedrag aantal omzet kosten importo quantità vendita"
  ).split(" "),
);

/** Numbers that make sense summed (sales, counts); others (prices, temperatures, rates) are averaged. */
export function isAdditive(column: ColumnInfo): boolean {
  const words = tokenize(column.name).map(singular);
  if (words.some((w) => NOT_ADDITIVE.has(w))) return false;
  return words.some((w) => ADDITIVE.has(w));
}

/** The first date column: the x-axis of a time series. */
export function mainDate(schema: DataSchema): ColumnInfo | undefined {
  return schema.columns.find((c) => c.kind === "date" && c.unique > 1);
}

/** Whole numbers that stand for groups ("cluster" 0…5, "sex" 1/2): counted and grouped by, not added up. */
function isCodeLike(column: ColumnInfo): boolean {
  if (column.kind !== "number" || column.unique > 12) return false;
  const whole = Number.isInteger(column.min) && Number.isInteger(column.max);
  return (
    whole &&
    /(^|[^a-z])(cluster|group|class|category|type|segment|level|grade|sex|gender|code|flag|status)([^a-z]|$)/i.test(
      column.name,
    )
  );
}

/** The numbers worth charting: not ids, codes or years. */
export function measures(schema: DataSchema): ColumnInfo[] {
  return schema.columns.filter(
    (c) =>
      c.kind === "number" && !isIdLike(c, schema.rows) && !isYearLike(c) && !isCodeLike(c) && c.unique > 1,
  );
}

/** Text columns with a handful of repeated values, fewest first among 2…30 values. */
export function categories(schema: DataSchema): ColumnInfo[] {
  const candidates = schema.columns.filter(
    (c) => (c.kind === "text" || c.kind === "bool") && c.unique >= 2 && c.unique < schema.rows,
  );
  const small = candidates.filter((c) => c.unique <= 30);
  const rest = candidates.filter((c) => c.unique > 30).sort((a, b) => a.unique - b.unique);
  return [...small, ...rest];
}

/** The number to chart when none was named: a summable one first. */
export function mainMeasure(schema: DataSchema): ColumnInfo | undefined {
  const all = measures(schema);
  return all.find(isAdditive) ?? all[0];
}

export function mainCategory(schema: DataSchema): ColumnInfo | undefined {
  return categories(schema)[0];
}
