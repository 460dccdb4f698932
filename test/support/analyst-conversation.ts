/**
 * Drives the offline analyst like the local backend does, turn by turn, on a PlainPythonSession, and reads what
 * came back: the answer, the cells, and a description of every figure each cell left open.
 */
import { execFileSync } from "node:child_process";
import { createReadStream } from "node:fs";
import { dirname, join } from "node:path";
import { createOfflineAnalyst } from "../../src/adapters/agents/local-engine/analyst";
import type { AgentProgress } from "../../src/core/ports";
import type { Analyst, CellImage, HistoryEntry, RanCell } from "../../src/adapters/agents/local-engine/types";
import { FIGURE_INTROSPECTION, PlainPythonSession } from "./plain-python-session";

/** The CSV/JSON files of the vega-datasets package. */
export const VEGA_DATA = join(dirname(require.resolve("vega-datasets")), "..", "data");

export interface AxesInfo {
  title: string;
  xlabel: string;
  ylabel: string;
  bars: number;
  horizontal: boolean;
  contiguousBars: boolean;
  /** Heights (widths when horizontal); null for a missing value. */
  barValues: (number | null)[];
  lines: number;
  linePoints: number;
  wedges: number;
  scatterPoints: number;
  areas: number;
  images: number;
  dateAxis: boolean;
  xTickLabels: string[];
  yTickLabels: string[];
  xOverlap: boolean;
  yOverlap: boolean;
  legend: string[];
}

export interface FigureInfo {
  width: number;
  height: number;
  axes: AxesInfo[];
}

export interface Turn {
  text: string;
  cells: RanCell[];
  figures: FigureInfo[];
  images: CellImage[];
  progress: AgentProgress[];
}

export class Conversation {
  private readonly history: HistoryEntry[] = [];
  restartNext = false;

  private constructor(
    readonly session: PlainPythonSession,
    readonly analyst: Analyst,
    private readonly ownsSession = true,
  ) {}

  static async start(analyst: Analyst = createOfflineAnalyst()): Promise<Conversation> {
    const session = await PlainPythonSession.start();
    session.epilogue = FIGURE_INTROSPECTION;
    return new Conversation(session, analyst);
  }

  /** A new conversation in a session that outlives it (several conversations over the same files). */
  static over(session: PlainPythonSession, analyst: Analyst = createOfflineAnalyst()): Conversation {
    session.epilogue = FIGURE_INTROSPECTION;
    return new Conversation(session, analyst, false);
  }

  /** Asks a question about a file already in the session, as if it had been shared with the question. */
  async askAbout(name: string, question: string): Promise<Turn> {
    return this.turn(question, [name]);
  }

  /** Shares a file (from disk) under `name` with an optional question. */
  async share(path: string, question = "", name = path.replace(/^.*\//, "")): Promise<Turn> {
    await this.session.writeFile(name, createReadStream(path));
    return this.turn(question, [name]);
  }

  async ask(question: string): Promise<Turn> {
    return this.turn(question, []);
  }

  private async turn(question: string, newFiles: string[]): Promise<Turn> {
    const seen = this.session.epilogueOutputs.length;
    const progress: AgentProgress[] = [];
    const output = await this.analyst.answer({
      question,
      newFiles,
      files: await this.session.listFiles(),
      history: [...this.history],
      sessionRestarted: this.restartNext,
      session: this.session,
      onProgress: (p) => progress.push(p),
    });
    this.restartNext = false;
    this.history.push({ role: "user", text: question }, { role: "assistant", text: output.text });
    const figures = this.session.epilogueOutputs.slice(seen).flatMap((out) => {
      if (out.startsWith("EPILOGUE FAILED")) throw new Error(out);
      return JSON.parse(out) as FigureInfo[];
    });
    return {
      text: output.text,
      cells: output.cells,
      figures,
      images: output.cells.flatMap((c) => c.result.images),
      progress,
    };
  }

  async close(): Promise<void> {
    if (this.ownsSession) await this.session.close();
  }
}

/** Runs pandas on its own, outside the analyst, and returns the JSON its last line printed. */
export function pandas<T = unknown>(code: string): T {
  const script = `import json\nimport pandas as pd\n${code}`;
  const out = execFileSync("/usr/bin/python3", ["-c", script], { encoding: "utf8" }).trim().split("\n");
  return JSON.parse(out[out.length - 1] as string) as T;
}

/** The rows of the first Markdown table in a text, header included, cells unescaped. */
export function tableRows(text: string, which = 0): string[][] {
  const tables: string[][][] = [];
  let current: string[][] | undefined;
  for (const line of text.split("\n")) {
    if (!line.startsWith("|")) {
      current = undefined;
      continue;
    }
    if (/^\|( ?---+ ?\|)+$/.test(line)) continue;
    if (!current) tables.push((current = []));
    const cells = line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim().replace(/\\\|/g, "|"));
    current.push(cells);
  }
  return tables[which] ?? [];
}

/** A number as the answer shows it ("1,234.5") back to a number, and how precisely it was shown. */
function shownNumber(text: string): { value: number; precision: number } {
  const cleaned = text.replace(/,/g, "").replace(/\*/g, "");
  const decimals = /\.(\d+)/.exec(cleaned)?.[1]?.length ?? 0;
  return { value: Number(cleaned), precision: 0.5 * 10 ** -decimals + 1e-9 };
}

/** The shown number is the true value, rounded as shown. */
export function expectShown(text: string | undefined, actual: number): void {
  if (text === undefined) throw new Error(`no number shown where ${actual} was expected`);
  const { value, precision } = shownNumber(text);
  if (!(Math.abs(value - actual) <= precision)) {
    throw new Error(`shown ${text} but pandas computed ${actual}`);
  }
}

/** Every figure drawn in a turn keeps its labels apart and has a title. */
export function expectReadable(figure: FigureInfo): void {
  for (const axes of figure.axes) {
    if (!axes.title) throw new Error("a figure has no title");
    if (axes.xOverlap || axes.yOverlap) throw new Error(`tick labels overlap in "${axes.title}"`);
  }
}
