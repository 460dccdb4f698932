/**
 * Contracts inside the local engine: the sandbox runs cells, an analyst (the offline one or a model loop)
 * decides which cells to run for a question, and the local backend glues them behind the AgentBackend port.
 */
import type { Readable } from "node:stream";
import type { AgentProgress } from "../../../core/ports";

/** A figure a cell left open, saved as PNG. */
export interface CellImage {
  name: string;
  data: Buffer;
  /** The chart's title, when it has one. */
  title?: string;
}

/** A new or changed regular file in the session's `/mnt/data` after a cell. */
export interface CellFile {
  /** The name relative to `/mnt/data`. */
  name: string;
  size: number;
}

/** What one cell did. */
export interface CellResult {
  /** Captured standard output, capped (the cap is noted at the end when hit). */
  stdout: string;
  stderr: string;
  /** The exception that ended the cell, with its traceback. */
  error?: { name: string; message: string; traceback: string };
  /** Set when a limit stopped the cell: "wall_clock", "cpu", "memory", "output", "disk", "killed". */
  limit?: string;
  images: CellImage[];
  files: CellFile[];
}

/** A stateful Python session like Code Interpreter's: variables and `/mnt/data` persist across cells. */
export interface SandboxSession {
  readonly id: string;
  /** Copies a stream into `/mnt/data/<name>` (counted against the session's disk quota). */
  writeFile(name: string, stream: Readable): Promise<void>;
  /** Regular files in `/mnt/data`. */
  listFiles(): Promise<CellFile[]>;
  /** Opens a file of `/mnt/data` for reading (regular files only; links are refused). */
  openFile(name: string): Promise<Readable>;
  /** Runs a cell in the session's interpreter. */
  run(code: string, signal?: AbortSignal): Promise<CellResult>;
  /** Ends the interpreter and deletes the session's files. */
  close(): Promise<void>;
}

/** One message of the conversation so far, as the analyst sees it. */
export interface HistoryEntry {
  role: "user" | "assistant";
  text: string;
}

export interface AnalystInput {
  question: string;
  /** Files that came with this message, already in `/mnt/data`. */
  newFiles: string[];
  /** Every file in the session. */
  files: CellFile[];
  history: HistoryEntry[];
  /** The session was gone (expired, restarted) and this is a fresh one: earlier variables are lost. */
  sessionRestarted: boolean;
  session: SandboxSession;
  onProgress(progress: AgentProgress): void;
  signal?: AbortSignal;
}

/** A cell the analyst ran and what it produced. */
export interface RanCell {
  code: string;
  result: CellResult;
}

export interface AnalystOutput {
  /** The answer in Markdown. File names in `/mnt/data` may be mentioned by name. */
  text: string;
  cells: RanCell[];
  /** Tokens the analyst's model calls used, when it has a model that reports them. */
  usage?: { inputTokens: number; outputTokens: number };
}

/** Turns a question into cells and an answer: the offline analyst, or a model driving a python tool. */
export interface Analyst {
  readonly name: string;
  answer(input: AnalystInput): Promise<AnalystOutput>;
}
