import type { TokenUsage } from "./usage";

/**
 * How a turn ended, for the worker: answered, failed (the user was told), left to be resumed later, or
 * deferred (it waits for a code-interpreter session slot; the turn gave the item back with a delay itself).
 */
export type TurnOutcome = "done" | "failed" | "abandoned" | "deferred";

/** The stages of a turn that an observer is told about. */
export type TurnStage = "receiving_files" | "run" | "posting";

/**
 * A claimed turn as an observer sees it: ids and counts only, never the message text or any file's contents.
 */
export interface ObservedTurn {
  seq: number;
  messageId: string;
  threadId: string;
  /** The chat surface's thread-id prefix (`slack`, `teams`, `web`, …). */
  platform: string;
  /** 1 for the first claim; more when the turn resumes after a restart, a crash or a lapsed lease. */
  attempt: number;
  /** How long the message waited in the inbox before this claim, in milliseconds. */
  queuedMs: number;
  /** How many files the message carries. */
  files: number;
  /** The author's id, and the workspace and channel the message came from (see `InboundMessage.origin`). */
  user: string;
  workspace?: string;
  channel?: string;
}

/** What a turn that ended (done or failed) used: what the usage ledger and the usage metrics record. */
export interface TurnReport {
  outcome: "done" | "failed";
  /** The backend's name. */
  backend: string;
  /** Epoch milliseconds: when the turn was admitted (its first attempt's start), and when it ended. */
  startedAt: number;
  endedAt: number;
  /** Tokens, when the backend reports them. */
  tokens?: TokenUsage;
  /** Files and bytes (declared sizes) uploaded into the backend, and files and bytes in the reply. */
  filesIn: number;
  bytesIn: number;
  filesOut: number;
  bytesOut: number;
  /** The turn opened a new code-interpreter session. */
  sessionOpened: boolean;
}

/**
 * Watches turns from the outside — metrics, traces — without the core knowing how they are kept. The
 * conversation service wraps each claimed turn in {@link TurnObserver.turn}, and the turn wraps its stages in
 * {@link TurnObserver.stage}.
 *
 * Each method must call `work` exactly once, right away, and return (or throw) exactly what it returned (or
 * threw): an observer only watches. It runs `work` in whatever context it likes (a trace span around it, say),
 * so what the turn does inside — its log lines too — happens within that context. An observer must not throw
 * on its own account, and must stay cheap: it runs on every turn.
 *
 * @example
 * ```ts
 * const timing: TurnObserver = {
 *   async turn(turn, work) {
 *     const started = Date.now();
 *     try { return await work(); } finally { record(turn.platform, Date.now() - started); }
 *   },
 *   stage: (_turn, _stage, work) => work(),
 * };
 * ```
 */
export interface TurnObserver {
  /** Wraps a whole turn, from its claim to its end. A rejection means the turn crashed (it is tried again). */
  turn(turn: ObservedTurn, work: () => Promise<TurnOutcome>): Promise<TurnOutcome>;

  /** Wraps one stage of a turn: receiving its files, the run, posting the reply (or the error). */
  stage<T>(turn: ObservedTurn, stage: TurnStage, work: () => Promise<T>): Promise<T>;

  /**
   * Told once what a turn used, when it ended done or failed (before its item is marked finished). May be
   * asynchronous (a ledger write); it must not throw.
   */
  ended?(turn: ObservedTurn, report: TurnReport): Promise<void> | void;
}
