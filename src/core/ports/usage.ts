/**
 * What each turn used, kept for the people who run databot: the `databot usage` report, the cost estimate,
 * the session budgets and the retention purge all read it. Ids and counts only — never text or file contents.
 */

/** Tokens a run consumed, as the backend reported them (absent when it reports none). */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

/**
 * One turn, as the ledger keeps it. A record is keyed by its message id: writing it again replaces it, except
 * that it keeps its first `startedAt` and a session once counted stays counted (a resumed turn is one turn).
 */
export interface UsageRecord {
  messageId: string;
  threadId: string;
  /** The chat surface's thread-id prefix (`slack`, `teams`, `web`, `cli`). */
  platform: string;
  /** The backend's name ("azure", "local"). */
  backend: string;
  /**
   * Who pays: the Slack workspace or Teams tenant the message came from; for surfaces without one, the
   * platform. Budgets are counted per workspace.
   */
  workspace: string;
  /** The channel or chat the thread is in, when the surface says. */
  channel?: string;
  /** The author's id on the platform. */
  user: string;
  /** Epoch milliseconds the turn was admitted, and when it ended (equal while the turn is still running). */
  startedAt: number;
  endedAt: number;
  /** "running" from admission until the turn records its end. */
  outcome: "running" | "done" | "failed";
  tokens?: TokenUsage;
  filesIn: number;
  bytesIn: number;
  filesOut: number;
  bytesOut: number;
  /** The turn opened a new code-interpreter session (Code Interpreter bills one per session). */
  sessionOpened: boolean;
}

/** How to group the `databot usage` report. */
export type UsageGrouping = "workspace" | "channel" | "user" | "platform" | "backend";

/** One line of the report: the totals of one group since the cut-off. */
export interface UsageTotals {
  /** The group's key (a workspace id, a channel id…); "" for records without one. */
  key: string;
  turns: number;
  sessions: number;
  inputTokens: number;
  outputTokens: number;
  filesIn: number;
  bytesIn: number;
  filesOut: number;
  bytesOut: number;
}

/** What the session gate asks for, at one moment, on behalf of one turn that would open a session. */
export interface SessionRequest {
  /** The turn's record while it runs (outcome "running", startedAt = endedAt = `now`). */
  record: UsageRecord;
  /** A session without a run this long is gone (Code Interpreter: 30 minutes idle). */
  idleMs: number;
  /** A session lasts at most this long from its opening (Code Interpreter: one hour). */
  lifetimeMs: number;
  /**
   * At most this many threads of the workspace may have a live session; absent: no limit; 0 admits only a
   * thread whose session is live.
   */
  maxActive?: number;
  /** At most this many sessions may open in the workspace since `dayStart`; absent: no limit. */
  dailyBudget?: number;
  /** Epoch milliseconds the budget's day began (UTC midnight). */
  dayStart: number;
}

export type SessionAdmission =
  | { admitted: true; opensSession: boolean }
  | { admitted: false; reason: "active_limit"; live: number }
  | { admitted: false; reason: "daily_budget"; opened: number };

/**
 * The usage ledger: one record per turn, and the few questions budgets and reports ask of them.
 *
 * A thread's session is *live* at a moment `t` when its latest record ended within `idleMs` before `t` and its
 * latest record with `sessionOpened` started within `lifetimeMs` before `t` — the way Code Interpreter keeps a
 * session for an hour, or until it has been idle for 30 minutes. A running turn's record counts as ending at
 * `t` (for at most `lifetimeMs` after it started, so a turn that vanished mid-run stops counting).
 */
export interface UsageLedger {
  /** Writes a turn's record, replacing an earlier one with the same message id. */
  record(record: UsageRecord): Promise<void>;

  /**
   * Atomically, across every replica sharing the ledger: when the request's thread has a live session, writes
   * its record and admits it without opening one. Otherwise, when the workspace is within both limits (the
   * thread itself not counted), writes the record with `sessionOpened` and admits it; else writes nothing and
   * says which limit stopped it.
   */
  admitSession(request: SessionRequest): Promise<SessionAdmission>;

  /** Totals per group of the records that started at or after `since` (epoch ms), largest turn count first. */
  totals(since: number, by: UsageGrouping): Promise<UsageTotals[]>;

  /** Threads whose latest record started before `cutoff` (epoch ms): the retention purge's candidates. */
  threadsIdleSince(cutoff: number, limit: number): Promise<string[]>;

  /** True when the thread has a record that started at or after `since`. */
  activeSince(threadId: string, since: number): Promise<boolean>;

  /** Deletes every record of a thread (`databot forget`); returns how many there were. */
  forgetThread(threadId: string): Promise<number>;

  /** Deletes the records that started before `cutoff` (epoch ms); returns the message ids deleted. */
  purgeOlderThan(cutoff: number): Promise<string[]>;

  close(): Promise<void>;
}

/**
 * The line of questions waiting for a session slot, per workspace, in arrival order (inbox sequence numbers).
 * Entries are refreshed by each look at them; one not refreshed since `freshSince` is ignored (its item went
 * away: answered elsewhere, forgotten), so a vanished entry never blocks the line for long.
 */
export interface SessionWaitlist {
  /** Adds or refreshes an entry; returns its place in the line (1 = next). */
  join(workspace: string, seq: number, now: number, freshSince: number): Promise<number>;
  /** The sequence numbers of the fresh entries of a workspace, first in line first. */
  line(workspace: string, freshSince: number): Promise<number[]>;
  /** Removes an entry (the item was admitted, or finished). */
  leave(seq: number): Promise<void>;
}
