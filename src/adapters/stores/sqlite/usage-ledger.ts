/**
 * The usage ledger and the session waitlist in SQLite: a file of their own beside the store's (`usage.sqlite`
 * in `DATA_DIR`), so the store's schema and the ledger's change independently. Session admission runs in an
 * immediate transaction: SQLite's write lock makes the count-then-insert atomic for every process on the file
 * (the server and `databot ask` share it).
 */
import path from "node:path";
import Database from "better-sqlite3";
import type {
  SessionAdmission,
  SessionRequest,
  SessionWaitlist,
  UsageGrouping,
  UsageLedger,
  UsageRecord,
  UsageTotals,
} from "../../../core/ports";
import { GROUP_COLUMNS, rowToTotals, type TotalsRow } from "../usage-sql";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS usage_turns (
  message_id     TEXT PRIMARY KEY,
  thread_id      TEXT NOT NULL,
  platform       TEXT NOT NULL,
  backend        TEXT NOT NULL,
  workspace      TEXT NOT NULL,
  channel        TEXT,
  user_id        TEXT NOT NULL,
  started_at     INTEGER NOT NULL,
  ended_at       INTEGER NOT NULL,
  outcome        TEXT NOT NULL,
  input_tokens   INTEGER,
  output_tokens  INTEGER,
  files_in       INTEGER NOT NULL,
  bytes_in       INTEGER NOT NULL,
  files_out      INTEGER NOT NULL,
  bytes_out      INTEGER NOT NULL,
  session_opened INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS usage_turns_workspace ON usage_turns (workspace, started_at);
CREATE INDEX IF NOT EXISTS usage_turns_thread ON usage_turns (thread_id, started_at);
CREATE INDEX IF NOT EXISTS usage_turns_started ON usage_turns (started_at);
CREATE TABLE IF NOT EXISTS usage_waitlist (
  seq       INTEGER PRIMARY KEY,
  workspace TEXT NOT NULL,
  joined_at INTEGER NOT NULL,
  seen_at   INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS usage_waitlist_workspace ON usage_waitlist (workspace, seq);
`;

const UPSERT = `
INSERT INTO usage_turns (message_id, thread_id, platform, backend, workspace, channel, user_id, started_at,
  ended_at, outcome, input_tokens, output_tokens, files_in, bytes_in, files_out, bytes_out, session_opened)
VALUES (@messageId, @threadId, @platform, @backend, @workspace, @channel, @user, @startedAt, @endedAt, @outcome,
  @inputTokens, @outputTokens, @filesIn, @bytesIn, @filesOut, @bytesOut, @sessionOpened)
ON CONFLICT (message_id) DO UPDATE SET
  thread_id = excluded.thread_id, platform = excluded.platform, backend = excluded.backend,
  workspace = excluded.workspace, channel = excluded.channel, user_id = excluded.user_id,
  started_at = MIN(usage_turns.started_at, excluded.started_at), ended_at = excluded.ended_at,
  outcome = excluded.outcome, input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens,
  files_in = excluded.files_in, bytes_in = excluded.bytes_in, files_out = excluded.files_out,
  bytes_out = excluded.bytes_out, session_opened = MAX(usage_turns.session_opened, excluded.session_opened)`;

/** Per thread: when it last ran (a running turn: now) and when its latest session opened. */
const THREAD_STATE = `
SELECT thread_id,
  MAX(CASE WHEN outcome = 'running' AND started_at >= @lifeStart THEN @now ELSE ended_at END) AS last_end,
  MAX(CASE WHEN session_opened = 1 THEN started_at END) AS last_open
FROM usage_turns`;

const LIVE = `last_end >= @idleStart AND last_open >= @lifeStart`;

export class SqliteUsageLedger implements UsageLedger, SessionWaitlist {
  private readonly db: Database.Database;
  private readonly admitTransaction: (request: SessionRequest) => SessionAdmission;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("busy_timeout = 5000");
    this.db.exec(SCHEMA);
    const admit = this.db.transaction((request: SessionRequest) => this.admitNow(request));
    this.admitTransaction = (request) => admit.immediate(request);
  }

  static inDataDir(dataDir: string): SqliteUsageLedger {
    return new SqliteUsageLedger(path.join(dataDir, "usage.sqlite"));
  }

  async record(record: UsageRecord): Promise<void> {
    this.db.prepare(UPSERT).run(params(record));
  }

  async admitSession(request: SessionRequest): Promise<SessionAdmission> {
    return this.admitTransaction(request);
  }

  private admitNow(request: SessionRequest): SessionAdmission {
    const { record } = request;
    const now = record.startedAt;
    const window = { now, idleStart: now - request.idleMs, lifeStart: now - request.lifetimeMs };
    const own = this.db
      .prepare(
        `SELECT COUNT(*) AS n FROM (${THREAD_STATE} WHERE thread_id = @thread GROUP BY thread_id) WHERE ${LIVE}`,
      )
      .get({ ...window, thread: record.threadId }) as { n: number };
    if (own.n > 0) return this.admitted({ ...record, sessionOpened: false });
    if (request.dailyBudget !== undefined) {
      const opened = this.db
        .prepare(
          `SELECT COUNT(*) AS n FROM usage_turns WHERE workspace = ? AND session_opened = 1 AND started_at >= ?
           AND message_id != ?`,
        )
        .get(record.workspace, request.dayStart, record.messageId) as { n: number };
      if (opened.n >= request.dailyBudget)
        return { admitted: false, reason: "daily_budget", opened: opened.n };
    }
    if (request.maxActive !== undefined) {
      const live = this.db
        .prepare(
          `SELECT COUNT(*) AS n FROM (${THREAD_STATE} WHERE workspace = @workspace AND thread_id != @thread
           AND started_at >= @scanStart GROUP BY thread_id) WHERE ${LIVE}`,
        )
        .get({
          ...window,
          workspace: record.workspace,
          thread: record.threadId,
          scanStart: window.lifeStart - request.idleMs,
        }) as { n: number };
      if (live.n >= request.maxActive) return { admitted: false, reason: "active_limit", live: live.n };
    }
    return this.admitted({ ...record, sessionOpened: true });
  }

  private admitted(record: UsageRecord): SessionAdmission {
    this.db.prepare(UPSERT).run(params(record));
    const stored = this.db
      .prepare("SELECT session_opened FROM usage_turns WHERE message_id = ?")
      .get(record.messageId) as { session_opened: number };
    return { admitted: true, opensSession: stored.session_opened === 1 };
  }

  async totals(since: number, by: UsageGrouping): Promise<UsageTotals[]> {
    const column = GROUP_COLUMNS[by];
    const rows = this.db
      .prepare(
        `SELECT COALESCE(${column}, '') AS key, COUNT(*) AS turns, SUM(session_opened) AS sessions,
           SUM(COALESCE(input_tokens, 0)) AS input_tokens, SUM(COALESCE(output_tokens, 0)) AS output_tokens,
           SUM(files_in) AS files_in, SUM(bytes_in) AS bytes_in, SUM(files_out) AS files_out,
           SUM(bytes_out) AS bytes_out
         FROM usage_turns WHERE started_at >= ? GROUP BY key ORDER BY turns DESC, key`,
      )
      .all(since) as TotalsRow[];
    return rows.map(rowToTotals);
  }

  async threadsIdleSince(cutoff: number, limit: number): Promise<string[]> {
    const rows = this.db
      .prepare(
        `SELECT thread_id FROM usage_turns GROUP BY thread_id HAVING MAX(started_at) < ?
         ORDER BY MAX(started_at) LIMIT ?`,
      )
      .all(cutoff, limit) as { thread_id: string }[];
    return rows.map((r) => r.thread_id);
  }

  async activeSince(threadId: string, since: number): Promise<boolean> {
    return (
      this.db
        .prepare("SELECT 1 FROM usage_turns WHERE thread_id = ? AND started_at >= ? LIMIT 1")
        .get(threadId, since) !== undefined
    );
  }

  async forgetThread(threadId: string): Promise<number> {
    return this.db.prepare("DELETE FROM usage_turns WHERE thread_id = ?").run(threadId).changes;
  }

  async purgeOlderThan(cutoff: number): Promise<string[]> {
    this.db.prepare("DELETE FROM usage_waitlist WHERE seen_at < ?").run(cutoff);
    const rows = this.db
      .prepare("DELETE FROM usage_turns WHERE started_at < ? RETURNING message_id")
      .all(cutoff) as { message_id: string }[];
    return rows.map((r) => r.message_id);
  }

  async join(workspace: string, seq: number, now: number, freshSince: number): Promise<number> {
    this.db.prepare("DELETE FROM usage_waitlist WHERE seen_at < ?").run(freshSince);
    this.db
      .prepare(
        `INSERT INTO usage_waitlist (seq, workspace, joined_at, seen_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (seq) DO UPDATE SET workspace = excluded.workspace, seen_at = excluded.seen_at`,
      )
      .run(seq, workspace, now, now);
    const place = this.db
      .prepare("SELECT COUNT(*) AS n FROM usage_waitlist WHERE workspace = ? AND seen_at >= ? AND seq <= ?")
      .get(workspace, freshSince, seq) as { n: number };
    return place.n;
  }

  async line(workspace: string, freshSince: number): Promise<number[]> {
    const rows = this.db
      .prepare("SELECT seq FROM usage_waitlist WHERE workspace = ? AND seen_at >= ? ORDER BY seq")
      .all(workspace, freshSince) as { seq: number }[];
    return rows.map((r) => r.seq);
  }

  async leave(seq: number): Promise<void> {
    this.db.prepare("DELETE FROM usage_waitlist WHERE seq = ?").run(seq);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

function params(record: UsageRecord): Record<string, string | number | null> {
  return {
    messageId: record.messageId,
    threadId: record.threadId,
    platform: record.platform,
    backend: record.backend,
    workspace: record.workspace,
    channel: record.channel ?? null,
    user: record.user,
    startedAt: record.startedAt,
    endedAt: record.endedAt,
    outcome: record.outcome,
    inputTokens: record.tokens?.inputTokens ?? null,
    outputTokens: record.tokens?.outputTokens ?? null,
    filesIn: record.filesIn,
    bytesIn: record.bytesIn,
    filesOut: record.filesOut,
    bytesOut: record.bytesOut,
    sessionOpened: record.sessionOpened ? 1 : 0,
  };
}
