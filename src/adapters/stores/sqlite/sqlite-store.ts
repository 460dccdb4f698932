/**
 * The embedded default store: one SQLite file under the data directory (WAL mode, so a second process or a
 * restarted one sees committed work at once). Every multi-step change runs in one IMMEDIATE transaction, which
 * gives the atomic dedupe and claim the Store contract asks for.
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type {
  EnqueueResult,
  InboxDepth,
  InboxItem,
  InboxStats,
  InboxStatus,
  Store,
  ThreadRecord,
  TurnCheckpoint,
} from "../../../core/ports";
import type { InboundMessage, JsonValue } from "../../../core/types";
import { SCHEMA_SQL, SCHEMA_VERSION } from "./schema";

interface InboxRow {
  seq: number;
  message_id: string;
  thread_id: string;
  platform: string;
  message: string;
  status: InboxStatus;
  attempts: number;
  checkpoint: string;
  enqueued_at: number;
  last_error: string | null;
}

interface ThreadRow {
  chat_thread_id: string;
  backend: string;
  agent_thread_id: string;
  created_at: number;
  updated_at: number;
}

export interface SqliteStoreOptions {
  /** A file path, or ":memory:" for a private in-memory database. */
  file: string;
  /** The clock, for tests of expiry. */
  now?: () => number;
}

export class SqliteStore implements Store, InboxStats {
  private readonly db: Database.Database;
  private readonly now: () => number;
  /** Prepared statements by SQL text: preparing costs more than running these small queries. */
  private readonly statements = new Map<string, Database.Statement>();
  private readonly enqueueTransaction: Database.Transaction<
    (message: InboundMessage, dedupeTtlMs: number, now: number) => EnqueueResult
  >;
  private readonly claimTransaction: Database.Transaction<
    (owner: string, leaseMs: number, platformList: string, now: number) => InboxItem | undefined
  >;

  constructor(options: SqliteStoreOptions) {
    this.db = openDatabase(options.file);
    this.now = options.now ?? Date.now;
    this.enqueueTransaction = this.db.transaction(this.enqueueNow.bind(this));
    this.claimTransaction = this.db.transaction(this.claimNow.bind(this));
  }

  /** Opens `<dataDir>/databot.sqlite`. */
  static inDataDir(dataDir: string): SqliteStore {
    return new SqliteStore({ file: path.join(dataDir, "databot.sqlite") });
  }

  async enqueue(message: InboundMessage, dedupeTtlMs: number): Promise<EnqueueResult> {
    return this.enqueueTransaction.immediate(message, dedupeTtlMs, this.now());
  }

  /** Runs inside an IMMEDIATE transaction: of concurrent deliveries exactly one is accepted. */
  private enqueueNow(message: InboundMessage, dedupeTtlMs: number, now: number): EnqueueResult {
    const keys = [message.id, ...(message.alternateIds ?? [])];
    const seen = this.sql("SELECT 1 FROM dedupe WHERE key = ? AND expires_at > ?");
    if (keys.some((key) => seen.get(key, now) !== undefined)) return { accepted: false, reason: "duplicate" };
    const remember = this.sql(
      "INSERT INTO dedupe (key, expires_at) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at",
    );
    for (const key of keys) remember.run(key, now + dedupeTtlMs);
    const result = this.sql(
      `INSERT INTO inbox (message_id, thread_id, platform, message, status, enqueued_at)
         VALUES (?, ?, ?, ?, 'pending', ?)
         ON CONFLICT (message_id) DO NOTHING`,
    ).run(message.id, message.threadId, message.platform, JSON.stringify(message), now);
    if (result.changes === 0) return { accepted: false, reason: "duplicate" };
    return { accepted: true, seq: Number(result.lastInsertRowid) };
  }

  async claimNext(
    owner: string,
    leaseMs: number,
    platforms: readonly string[],
  ): Promise<InboxItem | undefined> {
    if (platforms.length === 0) return undefined;
    return this.claimTransaction.immediate(owner, leaseMs, JSON.stringify(platforms), this.now());
  }

  /** Runs inside an IMMEDIATE transaction, so two workers never claim the same item. */
  private claimNow(owner: string, leaseMs: number, platformList: string, now: number): InboxItem | undefined {
    const row = this.sql(
      `SELECT seq FROM inbox i
         WHERE i.not_before <= @now
           AND i.platform IN (SELECT value FROM json_each(@platformList))
           AND i.status IN ('pending', 'processing')
           AND (i.status = 'pending' OR i.lease_until < @now)
           -- Nothing earlier in the thread is unfinished, and nothing later is running (a reopened item).
           AND NOT EXISTS (SELECT 1 FROM inbox o INDEXED BY inbox_unfinished_thread
                           WHERE o.thread_id = i.thread_id AND o.seq <> i.seq
                           AND o.status IN ('pending', 'processing')
                           AND (o.seq < i.seq OR o.lease_until >= @now))
         ORDER BY i.seq LIMIT 1`,
    ).get({ now, platformList }) as { seq: number } | undefined;
    if (!row) return undefined;
    this.sql(
      `UPDATE inbox SET status = 'processing', lease_owner = ?, lease_until = ?, attempts = attempts + 1
         WHERE seq = ?`,
    ).run(owner, now + leaseMs, row.seq);
    return this.readItem(row.seq);
  }

  async renewLease(seq: number, owner: string, leaseMs: number): Promise<boolean> {
    const result = this.sql(
      "UPDATE inbox SET lease_until = ? WHERE seq = ? AND lease_owner = ? AND status = 'processing'",
    ).run(this.now() + leaseMs, seq, owner);
    return result.changes === 1;
  }

  async saveCheckpoint(seq: number, owner: string, patch: TurnCheckpoint): Promise<boolean> {
    // A JSON merge patch replaces the patched keys whole, like an object spread.
    const result = this.sql(
      `UPDATE inbox SET checkpoint = json_patch(checkpoint, ?)
       WHERE seq = ? AND lease_owner = ? AND status = 'processing'`,
    ).run(JSON.stringify(patch), seq, owner);
    return result.changes === 1;
  }

  async finish(seq: number, owner: string, status: "done" | "failed", errorCode?: string): Promise<void> {
    this.sql(
      `UPDATE inbox SET status = ?, last_error = ?, lease_owner = NULL, lease_until = NULL, finished_at = ?
         WHERE seq = ? AND lease_owner = ?`,
    ).run(status, errorCode ?? null, this.now(), seq, owner);
  }

  async release(seq: number, owner: string, delayMs: number): Promise<void> {
    this.sql(
      `UPDATE inbox SET status = 'pending', lease_owner = NULL, lease_until = NULL, not_before = ?
         WHERE seq = ? AND lease_owner = ? AND status = 'processing'`,
    ).run(this.now() + delayMs, seq, owner);
  }

  async unfinishedInThread(chatThreadId: string): Promise<InboxItem[]> {
    const rows = this.sql(
      "SELECT * FROM inbox WHERE thread_id = ? AND status IN ('pending', 'processing') ORDER BY seq",
    ).all(chatThreadId) as InboxRow[];
    return rows.map(toItem);
  }

  async latestInThread(chatThreadId: string, status: InboxStatus): Promise<InboxItem | undefined> {
    const row = this.sql(
      "SELECT * FROM inbox WHERE thread_id = ? AND status = ? ORDER BY seq DESC LIMIT 1",
    ).get(chatThreadId, status) as InboxRow | undefined;
    return row ? toItem(row) : undefined;
  }

  async reopen(seq: number, checkpoint: TurnCheckpoint): Promise<boolean> {
    // A reopened item goes to the back of its thread's queue, so it cannot overtake messages sent after it.
    const reopen = this.db.transaction((): boolean => {
      const row = this.sql("SELECT * FROM inbox WHERE seq = ? AND status = 'failed'").get(seq) as
        (InboxRow & { message_id: string; thread_id: string }) | undefined;
      if (!row) return false;
      this.sql("DELETE FROM inbox WHERE seq = ?").run(seq);
      this.sql(
        `INSERT INTO inbox (message_id, thread_id, platform, message, status, attempts, checkpoint, enqueued_at)
           VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)`,
      ).run(
        row.message_id,
        row.thread_id,
        row.platform,
        row.message,
        row.attempts,
        JSON.stringify(checkpoint),
        this.now(),
      );
      return true;
    });
    return reopen.immediate();
  }

  async getItem(seq: number): Promise<InboxItem | undefined> {
    return this.readItem(seq);
  }

  async getThread(chatThreadId: string): Promise<ThreadRecord | undefined> {
    const row = this.sql("SELECT * FROM threads WHERE chat_thread_id = ?").get(chatThreadId) as
      ThreadRow | undefined;
    return row ? toThread(row) : undefined;
  }

  async putThread(chatThreadId: string, backend: string, agentThreadId: string): Promise<void> {
    const now = this.now();
    this.sql(
      `INSERT INTO threads (chat_thread_id, backend, agent_thread_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (chat_thread_id) DO UPDATE SET backend = excluded.backend,
           agent_thread_id = excluded.agent_thread_id, updated_at = excluded.updated_at`,
    ).run(chatThreadId, backend, agentThreadId, now, now);
  }

  async deleteThread(chatThreadId: string): Promise<void> {
    this.sql("DELETE FROM threads WHERE chat_thread_id = ?").run(chatThreadId);
  }

  async listThreads(platformPrefix: string, limit: number): Promise<ThreadRecord[]> {
    const rows = this.sql(
      "SELECT * FROM threads WHERE chat_thread_id LIKE ? ESCAPE '\\' ORDER BY updated_at DESC, rowid DESC LIMIT ?",
    ).all(`${platformPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, limit) as ThreadRow[];
    return rows.map(toThread);
  }

  async getValue<T extends JsonValue>(namespace: string, key: string): Promise<T | undefined> {
    const row = this.sql(
      "SELECT value FROM kv WHERE namespace = ? AND key = ? AND (expires_at IS NULL OR expires_at > ?)",
    ).get(namespace, key, this.now()) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  async putValue(namespace: string, key: string, value: JsonValue, ttlMs?: number): Promise<void> {
    this.sql(
      `INSERT INTO kv (namespace, key, value, expires_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
    ).run(namespace, key, JSON.stringify(value), ttlMs === undefined ? null : this.now() + ttlMs);
  }

  async purgeExpired(keepFinishedMs: number): Promise<void> {
    const now = this.now();
    this.sql("DELETE FROM dedupe WHERE expires_at <= ?").run(now);
    this.sql("DELETE FROM kv WHERE expires_at IS NOT NULL AND expires_at <= ?").run(now);
    this.sql("DELETE FROM inbox WHERE status IN ('done', 'failed') AND finished_at <= ?").run(
      now - keepFinishedMs,
    );
  }

  async inboxDepth(): Promise<InboxDepth> {
    const rows = this.sql(
      "SELECT status, COUNT(*) AS n FROM inbox WHERE status IN ('pending', 'processing') GROUP BY status",
    ).all() as { status: "pending" | "processing"; n: number }[];
    const depth: InboxDepth = { pending: 0, processing: 0 };
    for (const row of rows) depth[row.status] = row.n;
    return depth;
  }

  async ping(): Promise<void> {
    this.sql("SELECT 1").get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  private readItem(seq: number): InboxItem | undefined {
    const row = this.sql("SELECT * FROM inbox WHERE seq = ?").get(seq) as InboxRow | undefined;
    return row ? toItem(row) : undefined;
  }
}

function openDatabase(file: string): Database.Database {
  if (file !== ":memory:") fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  db.exec(SCHEMA_SQL);
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
  return db;
}

function toItem(row: InboxRow): InboxItem {
  return {
    seq: row.seq,
    message: JSON.parse(row.message) as InboundMessage,
    status: row.status,
    attempts: row.attempts,
    checkpoint: JSON.parse(row.checkpoint) as TurnCheckpoint,
    enqueuedAt: new Date(row.enqueued_at).toISOString(),
    lastError: row.last_error ?? undefined,
  };
}

function toThread(row: ThreadRow): ThreadRecord {
  return {
    chatThreadId: row.chat_thread_id,
    backend: row.backend,
    agentThreadId: row.agent_thread_id,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}
