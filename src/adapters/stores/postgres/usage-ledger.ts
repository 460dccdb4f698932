/**
 * The usage ledger and the session waitlist in PostgreSQL, on the process's shared pool, with migrations of
 * their own (component "usage"). Session admission takes a transaction-scoped advisory lock per workspace, so
 * replicas admitting sessions for one workspace at the same moment count one after the other.
 */
import type pg from "pg";
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
import { inTransaction, migrate, type MigrationSet } from "./database";

const USAGE_MIGRATIONS: MigrationSet = {
  component: "usage",
  migrations: [
    {
      version: 1,
      name: "usage records per turn and the session waitlist",
      sql: `
CREATE TABLE usage_turns (
  message_id     TEXT PRIMARY KEY,
  thread_id      TEXT NOT NULL,
  platform       TEXT NOT NULL,
  backend        TEXT NOT NULL,
  workspace      TEXT NOT NULL,
  channel        TEXT,
  user_id        TEXT NOT NULL,
  started_at     BIGINT NOT NULL,
  ended_at       BIGINT NOT NULL,
  outcome        TEXT NOT NULL,
  input_tokens   BIGINT,
  output_tokens  BIGINT,
  files_in       INTEGER NOT NULL,
  bytes_in       BIGINT NOT NULL,
  files_out      INTEGER NOT NULL,
  bytes_out      BIGINT NOT NULL,
  session_opened BOOLEAN NOT NULL
);
CREATE INDEX usage_turns_workspace ON usage_turns (workspace, started_at);
CREATE INDEX usage_turns_thread ON usage_turns (thread_id, started_at);
CREATE INDEX usage_turns_started ON usage_turns (started_at);
CREATE TABLE usage_waitlist (
  seq       BIGINT PRIMARY KEY,
  workspace TEXT NOT NULL,
  joined_at BIGINT NOT NULL,
  seen_at   BIGINT NOT NULL
);
CREATE INDEX usage_waitlist_workspace ON usage_waitlist (workspace, seq);`,
    },
  ],
};

const UPSERT = `
INSERT INTO usage_turns (message_id, thread_id, platform, backend, workspace, channel, user_id, started_at,
  ended_at, outcome, input_tokens, output_tokens, files_in, bytes_in, files_out, bytes_out, session_opened)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
ON CONFLICT (message_id) DO UPDATE SET
  thread_id = excluded.thread_id, platform = excluded.platform, backend = excluded.backend,
  workspace = excluded.workspace, channel = excluded.channel, user_id = excluded.user_id,
  started_at = LEAST(usage_turns.started_at, excluded.started_at), ended_at = excluded.ended_at,
  outcome = excluded.outcome, input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens,
  files_in = excluded.files_in, bytes_in = excluded.bytes_in, files_out = excluded.files_out,
  bytes_out = excluded.bytes_out, session_opened = usage_turns.session_opened OR excluded.session_opened
RETURNING session_opened`;

/** Per thread: when it last ran (a running turn: $1, now) and when its latest session opened. */
const THREAD_STATE = `
SELECT thread_id,
  MAX(CASE WHEN outcome = 'running' AND started_at >= $3 THEN $1 ELSE ended_at END) AS last_end,
  MAX(CASE WHEN session_opened THEN started_at END) AS last_open
FROM usage_turns`;

/** $2: the idle window's start, $3: the lifetime window's start. */
const LIVE = `last_end >= $2 AND last_open >= $3`;

type Queryable = Pick<pg.PoolClient, "query">;

export class PostgresUsageLedger implements UsageLedger, SessionWaitlist {
  private constructor(private readonly pool: pg.Pool) {}

  /** Brings the ledger's tables up to date; the pool is the process's shared one (not closed here). */
  static async open(pool: pg.Pool): Promise<PostgresUsageLedger> {
    await migrate(pool, USAGE_MIGRATIONS);
    return new PostgresUsageLedger(pool);
  }

  async record(record: UsageRecord): Promise<void> {
    await this.pool.query(UPSERT, values(record));
  }

  admitSession(request: SessionRequest): Promise<SessionAdmission> {
    return inTransaction(this.pool, async (client) => {
      await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [
        `databot-usage:${request.record.workspace}`,
      ]);
      return this.admitNow(client, request);
    });
  }

  private async admitNow(client: Queryable, request: SessionRequest): Promise<SessionAdmission> {
    const { record } = request;
    const now = record.startedAt;
    const window = [now, now - request.idleMs, now - request.lifetimeMs];
    const own = await client.query<{ n: string }>(
      `SELECT COUNT(*) AS n FROM (${THREAD_STATE} WHERE thread_id = $4 GROUP BY thread_id) s WHERE ${LIVE}`,
      [...window, record.threadId],
    );
    if (Number(own.rows[0]!.n) > 0) return this.admitted(client, { ...record, sessionOpened: false });
    if (request.dailyBudget !== undefined) {
      const opened = await client.query<{ n: string }>(
        `SELECT COUNT(*) AS n FROM usage_turns WHERE workspace = $1 AND session_opened AND started_at >= $2
         AND message_id <> $3`,
        [record.workspace, request.dayStart, record.messageId],
      );
      const n = Number(opened.rows[0]!.n);
      if (n >= request.dailyBudget) return { admitted: false, reason: "daily_budget", opened: n };
    }
    if (request.maxActive !== undefined) {
      const live = await client.query<{ n: string }>(
        `SELECT COUNT(*) AS n FROM (${THREAD_STATE} WHERE workspace = $4 AND thread_id <> $5
         AND started_at >= $6 GROUP BY thread_id) s WHERE ${LIVE}`,
        [...window, record.workspace, record.threadId, now - request.lifetimeMs - request.idleMs],
      );
      const n = Number(live.rows[0]!.n);
      if (n >= request.maxActive) return { admitted: false, reason: "active_limit", live: n };
    }
    return this.admitted(client, { ...record, sessionOpened: true });
  }

  private async admitted(client: Queryable, record: UsageRecord): Promise<SessionAdmission> {
    const stored = await client.query<{ session_opened: boolean }>(UPSERT, values(record));
    return { admitted: true, opensSession: stored.rows[0]!.session_opened };
  }

  async totals(since: number, by: UsageGrouping): Promise<UsageTotals[]> {
    const column = GROUP_COLUMNS[by];
    const result = await this.pool.query<TotalsRow>(
      `SELECT COALESCE(${column}, '') AS key, COUNT(*) AS turns, SUM(session_opened::int) AS sessions,
         SUM(COALESCE(input_tokens, 0)) AS input_tokens, SUM(COALESCE(output_tokens, 0)) AS output_tokens,
         SUM(files_in) AS files_in, SUM(bytes_in) AS bytes_in, SUM(files_out) AS files_out,
         SUM(bytes_out) AS bytes_out
       FROM usage_turns WHERE started_at >= $1 GROUP BY 1 ORDER BY COUNT(*) DESC, 1`,
      [since],
    );
    return result.rows.map(rowToTotals);
  }

  async threadsIdleSince(cutoff: number, limit: number): Promise<string[]> {
    const result = await this.pool.query<{ thread_id: string }>(
      `SELECT thread_id FROM usage_turns GROUP BY thread_id HAVING MAX(started_at) < $1
       ORDER BY MAX(started_at) LIMIT $2`,
      [cutoff, limit],
    );
    return result.rows.map((r) => r.thread_id);
  }

  async activeSince(threadId: string, since: number): Promise<boolean> {
    const result = await this.pool.query(
      "SELECT 1 FROM usage_turns WHERE thread_id = $1 AND started_at >= $2 LIMIT 1",
      [threadId, since],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async forgetThread(threadId: string): Promise<number> {
    const result = await this.pool.query("DELETE FROM usage_turns WHERE thread_id = $1", [threadId]);
    return result.rowCount ?? 0;
  }

  async purgeOlderThan(cutoff: number): Promise<string[]> {
    await this.pool.query("DELETE FROM usage_waitlist WHERE seen_at < $1", [cutoff]);
    const result = await this.pool.query<{ message_id: string }>(
      "DELETE FROM usage_turns WHERE started_at < $1 RETURNING message_id",
      [cutoff],
    );
    return result.rows.map((r) => r.message_id);
  }

  async join(workspace: string, seq: number, now: number, freshSince: number): Promise<number> {
    await this.pool.query("DELETE FROM usage_waitlist WHERE seen_at < $1", [freshSince]);
    await this.pool.query(
      `INSERT INTO usage_waitlist (seq, workspace, joined_at, seen_at) VALUES ($1, $2, $3, $3)
       ON CONFLICT (seq) DO UPDATE SET workspace = excluded.workspace, seen_at = excluded.seen_at`,
      [seq, workspace, now],
    );
    const place = await this.pool.query<{ n: string }>(
      "SELECT COUNT(*) AS n FROM usage_waitlist WHERE workspace = $1 AND seen_at >= $2 AND seq <= $3",
      [workspace, freshSince, seq],
    );
    return Number(place.rows[0]!.n);
  }

  async line(workspace: string, freshSince: number): Promise<number[]> {
    const result = await this.pool.query<{ seq: string }>(
      "SELECT seq FROM usage_waitlist WHERE workspace = $1 AND seen_at >= $2 ORDER BY seq",
      [workspace, freshSince],
    );
    return result.rows.map((r) => Number(r.seq));
  }

  async leave(seq: number): Promise<void> {
    await this.pool.query("DELETE FROM usage_waitlist WHERE seq = $1", [seq]);
  }

  /** The pool is shared: whoever opened it closes it. */
  async close(): Promise<void> {}
}

function values(record: UsageRecord): (string | number | boolean | null)[] {
  return [
    record.messageId,
    record.threadId,
    record.platform,
    record.backend,
    record.workspace,
    record.channel ?? null,
    record.user,
    record.startedAt,
    record.endedAt,
    record.outcome,
    record.tokens?.inputTokens ?? null,
    record.tokens?.outputTokens ?? null,
    record.filesIn,
    record.bytesIn,
    record.filesOut,
    record.bytesOut,
    record.sessionOpened,
  ];
}
