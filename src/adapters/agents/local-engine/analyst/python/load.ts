/**
 * The first cell for a file: read it into `df` (delimiter sniffed, dates and "$1,200"-style amounts turned into
 * real types) and print a JSON profile the analyst plans from.
 */
import { pyStr } from "./literals";

/** Where the sandbox shows the session's files. */
export const DATA_DIR = "/mnt/data";

const READERS: Record<string, (path: string) => string[]> = {
  csv: (path) => [
    `df = pd.read_csv(${path}, sep=None, engine="python", encoding="utf-8-sig", encoding_errors="replace")`,
  ],
  txt: (path) => [
    `df = pd.read_csv(${path}, sep=None, engine="python", encoding="utf-8-sig", encoding_errors="replace")`,
  ],
  tsv: (path) => [`df = pd.read_csv(${path}, sep="\\t", encoding="utf-8-sig", encoding_errors="replace")`],
  xlsx: (path) => [`sheets = pd.ExcelFile(${path}).sheet_names`, `df = pd.read_excel(${path}, sheet_name=0)`],
  json: (path) => [`with open(${path}, encoding="utf-8") as f:`, `    df = pd.json_normalize(json.load(f))`],
  jsonl: (path) => [`df = pd.read_json(${path}, lines=True)`],
};
READERS.tab = READERS.tsv as (path: string) => string[];
READERS.xlsm = READERS.xlsx as (path: string) => string[];
READERS.ndjson = READERS.jsonl as (path: string) => string[];

function extension(name: string): string {
  return /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? "";
}

/** Files the offline analyst can read as a table. */
export function isTabularFile(name: string): boolean {
  return extension(name) in READERS;
}

/** A plain file name in `/mnt/data` (no directories). */
export function isPlainFileName(name: string): boolean {
  return name.length > 0 && !/[/\0]/.test(name) && name !== "." && name !== "..";
}

/** Python that loads `/mnt/data/<file>` into `df` and prints the profile as one JSON line. */
export function loadCell(file: string): string {
  if (!isPlainFileName(file) || !isTabularFile(file)) throw new Error(`not a table file: ${file}`);
  const reader = READERS[extension(file)] as (path: string) => string[];
  const isWorkbook = ["xlsx", "xlsm"].includes(extension(file));
  return [
    "import json",
    "",
    "import matplotlib.dates as mdates",
    "import matplotlib.pyplot as plt",
    "import matplotlib.ticker as mticker",
    "import numpy as np",
    "import pandas as pd",
    "",
    `path = ${pyStr(`${DATA_DIR}/${file}`)}`,
    ...reader("path"),
    "df.columns = [str(name).strip() for name in df.columns]",
    "",
    '# Text that holds dates or amounts ("$1,200", "12%") becomes datetimes and numbers.',
    'date_like = r"\\d{4}[/.-]\\d{1,2}|\\d{1,2}[/.-]\\d{1,2}[/.-]\\d{2,4}|[A-Za-z]{3,}\\.?\\s+\\d{1,2},?\\s+\\d{4}|\\d{1,2}\\s+[A-Za-z]{3,}\\.?\\s+\\d{4}"',
    "for column in df.columns[df.dtypes == object]:",
    "    text = df[column].dropna().astype(str).str.strip()",
    "    if text.empty:",
    "        continue",
    "    if text.str.contains(date_like).mean() > 0.9:",
    '        dates = pd.to_datetime(df[column], errors="coerce")',
    "        if dates.notna().sum() >= 0.9 * len(text):",
    "            df[column] = dates",
    "            continue",
    '    amounts = df[column].astype(str).str.replace(r"[$€£¥,%\\s]", "", regex=True)',
    '    numbers = pd.to_numeric(amounts, errors="coerce")',
    "    if numbers.notna().sum() >= 0.9 * len(text):",
    "        df[column] = numbers.where(df[column].notna())",
    "",
    "",
    "def plain(value):",
    '    """A JSON-friendly version of a pandas or numpy scalar."""',
    "    if pd.isna(value):",
    "        return None",
    "    if isinstance(value, pd.Timestamp):",
    "        return value.isoformat()",
    '    return value.item() if hasattr(value, "item") else value',
    "",
    "",
    "def resolution(dates):",
    '    """The finest unit the dates use: "year" (all on 1 January), "month", "day" or "time"."""',
    "    dates = dates.dropna()",
    "    if not (dates == dates.dt.normalize()).all():",
    '        return "time"',
    "    if (dates.dt.dayofyear == 1).all():",
    '        return "year"',
    '    return "month" if (dates.dt.day == 1).all() else "day"',
    "",
    "",
    "def describe(name):",
    "    column = df[name]",
    '    info = {"name": name, "dtype": str(column.dtype), "missing": int(column.isna().sum()), "unique": int(column.nunique())}',
    "    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):",
    "        info.update(min=plain(column.min()), max=plain(column.max()), mean=plain(column.mean()))",
    "    elif pd.api.types.is_datetime64_any_dtype(column):",
    "        info.update(min=plain(column.min()), max=plain(column.max()), resolution=resolution(column))",
    '    elif info["unique"] <= 100:',
    '        info["values"] = [str(v)[:200] for v in column.dropna().astype(str).value_counts().index]',
    "    return info",
    "",
    "",
    "profile = {",
    '    "file": path,',
    '    "rows": len(df),',
    '    "columns": [describe(name) for name in df.columns],',
    '    "sample": json.loads(df.head(5).to_json(orient="split", date_format="iso", default_handler=str)),',
    ...(isWorkbook ? ['    "sheets": sheets,'] : []),
    "}",
    "print(json.dumps(profile))",
  ].join("\n");
}
