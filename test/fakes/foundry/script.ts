/**
 * What the fake "model" does in a run. A test scripts a turn: the code it runs (with printed logs and charts), the
 * answer text, charts shown in the answer, files it writes and links, and how the run ends. Without a script the
 * default turn answers any question with a short text, a chart PNG and a CSV file.
 */
import { barChartPng } from "./png";

/** One code-interpreter call. */
export interface FakeCodeCall {
  /** The Python the model runs. */
  input: string;
  /** What it printed. */
  logs?: string;
  /** Charts it displayed (PNG bytes): run-step image outputs. They also appear in the answer unless `hideFromAnswer`. */
  images?: Buffer[];
  hideFromAnswer?: boolean;
}

/** A file the code wrote to /mnt/data, linked from the answer with a `file_path` annotation. */
export interface FakeOutputFile {
  name: string;
  content: Buffer | string;
}

/**
 * How a run (classic) or response (new agents) ends. `requires_action` waits for tool outputs (databot cancels
 * it; classic only); an incomplete run's reason is `max_completion_tokens` or `max_prompt_tokens` on classic and
 * `max_output_tokens` on responses.
 */
export type FakeRunEnd =
  | { status: "completed" }
  | { status: "failed"; code?: string; message?: string }
  | { status: "expired" }
  | { status: "cancelled" }
  | { status: "incomplete"; reason?: string }
  | { status: "requires_action" }
  /** The stream reports an `error` event mid-answer and the run (or response) fails. */
  | { status: "error"; code?: string; message?: string };

export interface FakeTurn {
  code?: FakeCodeCall[];
  /** The answer: one string per assistant message. */
  text?: string | string[];
  /** Charts shown only in the answer (image_file content). */
  images?: Buffer[];
  /** Files written and linked from the (last) answer message. */
  files?: FakeOutputFile[];
  end?: FakeRunEnd;
  /** Wait this long between events (a slow run). */
  delayMs?: number;
  /** Stay in progress, after the code ran, until `FakeFoundry.release` or a cancel. */
  hold?: boolean;
  /** Drop a streaming client's connection after this many events (the run goes on). */
  breakStreamAfterEvents?: number;
}

/** What the model sees when it picks a turn. */
export interface TurnContext {
  threadId: string;
  /** The newest user message's text. */
  question: string;
  /** Every file attached to the thread's user messages so far, newest last. */
  files: { id: string; name: string; content: Buffer }[];
}

export type TurnScript = (context: TurnContext) => FakeTurn;

/** A few rows of the first CSV, naively split: enough for the default answer to say something true about it. */
function sniffCsv(content: Buffer): { header: string[]; rows: string[][] } {
  const lines = content
    .toString("utf8")
    .split(/\r?\n/)
    .filter((line) => line.trim() !== "");
  const split = (line: string) => line.split(",").map((cell) => cell.trim().replace(/^"|"$/g, ""));
  return { header: split(lines[0] ?? ""), rows: lines.slice(1).map(split) };
}

/** The default turn: describes the newest CSV (rows, columns), charts its first numeric column, writes a summary CSV. */
export const defaultTurn: TurnScript = ({ question, files }) => {
  const csv = [...files].reverse().find((f) => f.name.toLowerCase().endsWith(".csv"));
  const { header, rows } = csv
    ? sniffCsv(csv.content)
    : { header: ["value"], rows: [["3"], ["5"], ["2"], ["8"]] };
  const numericColumn = header.findIndex(
    (_, i) => rows.length > 0 && rows.every((r) => Number.isFinite(Number(r[i]))),
  );
  const column = numericColumn < 0 ? 0 : numericColumn;
  const values = rows.slice(0, 24).map((r) => Number(r[column]) || 0);
  const source = csv ? csv.name : "a small sample";
  const summary = [
    "column,non_empty_values",
    ...header.map((h, i) => `${h},${rows.filter((r) => (r[i] ?? "") !== "").length}`),
  ];
  const chart = barChartPng(values);
  return {
    code: [
      {
        input: `import pandas as pd\ndf = pd.read_csv('/mnt/data/${source}')\nprint(df.shape)\ndf['${header[column]}'].plot.bar()`,
        logs: `(${rows.length}, ${header.length})`,
        images: [chart],
      },
      {
        input: `df.count().to_csv('/mnt/data/summary.csv')`,
        logs: "",
      },
    ],
    text:
      `You asked: "${question.slice(0, 120)}". ${source} has ${rows.length} rows and ${header.length} columns ` +
      `(${header.join(", ")}). The chart shows ${header[column]} for the first ${values.length} rows. ` +
      `[Download summary.csv](sandbox:/mnt/data/summary.csv)`,
    files: [{ name: "summary.csv", content: summary.join("\n") + "\n" }],
  };
};
