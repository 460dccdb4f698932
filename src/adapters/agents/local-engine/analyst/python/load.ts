/**
 * The first cell for a file: read it into `df` with the reader (delimiter, decimal marks and date orders sniffed
 * from the values) and print a JSON profile, with how the file was read, for the analyst to plan from.
 */
import { pyStr } from "./literals";
import { COLUMN_READER_SOURCE } from "./reader-columns-source";
import { TABLE_PROFILE_SOURCE } from "./reader-profile-source";
import { TABLE_READER_SOURCE } from "./reader-table-source";

/** Where the sandbox shows the session's files. */
const DATA_DIR = "/mnt/data";

/** Extensions the reader takes: delimited text, workbooks, JSON records. */
const TABLE_EXTENSIONS = new Set(["csv", "txt", "tsv", "tab", "xlsx", "xlsm", "json", "jsonl", "ndjson"]);

function extension(name: string): string {
  return /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? "";
}

/** Files the offline analyst can read as a table. */
export function isTabularFile(name: string): boolean {
  return TABLE_EXTENSIONS.has(extension(name));
}

/** A plain file name in `/mnt/data` (no directories). */
export function isPlainFileName(name: string): boolean {
  return name.length > 0 && !/[/\0]/.test(name) && name !== "." && name !== "..";
}

/** How to read a table differently from what its values suggest, as the person asked. */
export interface ReadOptions {
  /** A workbook's sheet. */
  sheet?: string;
  /** Dates such as 03/04/2024 are day-first (true) or month-first (false). */
  dayfirst?: boolean;
  /** The decimal mark of numbers such as 1.234. */
  decimal?: "," | ".";
  /** Read chunk by chunk, as a table too big to hold is, with chunks of this many rows (for tests). */
  streamChunkRows?: number;
  /** Leave texts that mostly differ for later whatever the file's size, as large files do (for tests). */
  deferVaried?: boolean;
}

function pyOptions(options: ReadOptions): string {
  const entries: string[] = [];
  if (options.dayfirst !== undefined) entries.push(`"dayfirst": ${options.dayfirst ? "True" : "False"}`);
  if (options.decimal) entries.push(`"decimal": ${pyStr(options.decimal)}`);
  if (options.streamChunkRows)
    entries.push(`"stream": True, "chunk_rows": ${Math.floor(options.streamChunkRows)}`);
  if (options.deferVaried) entries.push(`"defer": True`);
  return `{${entries.join(", ")}}`;
}

/**
 * Python that reads `/mnt/data/<file>` into `df` (or, for a table too big to hold, leaves `df` as None and
 * `source` ready to stream it) and prints the profile as one JSON line.
 */
export function loadCell(file: string, options: ReadOptions = {}): string {
  if (!isPlainFileName(file) || !isTabularFile(file)) throw new Error(`not a table file: ${file}`);
  const sheet = options.sheet === undefined ? "None" : pyStr(options.sheet);
  return [
    "import matplotlib.dates as mdates",
    "import matplotlib.pyplot as plt",
    "import matplotlib.ticker as mticker",
    COLUMN_READER_SOURCE.trim(),
    "",
    "",
    TABLE_READER_SOURCE.trim(),
    "",
    "",
    TABLE_PROFILE_SOURCE.trim(),
    "",
    "",
    `path = ${pyStr(`${DATA_DIR}/${file}`)}`,
    `df, source, stats, reading = read_table(path, sheet=${sheet}, options=${pyOptions(options)})`,
    "print(json.dumps(table_profile(df, stats, reading), default=str))",
  ].join("\n");
}
