/**
 * The embedded default store: one SQLite file under the data directory (WAL mode, so a second process or a
 * restarted one sees committed work at once). A claim is a read that finds a candidate and one conditional UPDATE
 * that takes it only if it is still runnable; dedupe is one upsert of the message's ids, in one IMMEDIATE
 * transaction with the inbox insert. Claimed-item writes match the claim's lease token, not just its owner.
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type {
  ClaimedItem,
  EnqueueResult,
  InboxDepth,
  InboxItem,
  InboxStats,
  InboxStatus,
  KeyValueSpace,
  Lease,
  Store,
  ThreadRecord,
  TurnCheckpoint,
} from "../../../core/ports";
import type { InboundMessage, JsonValue } from "../../../core/types";
import type { SqlCounter } from "../sql-counter";
import { migrateSchema } from "./schema";
import {
  CANDIDATE,
  checkpointUpdate,
  INSERT_ITEM,
  PUT_THREAD,
  PUT_VALUE,
  REMEMBER_IDS,
  TAKE,
  toItem,
  toThread,
  type InboxRow,
  type ThreadRow,
} from "./statements";

export interface SqliteStoreOptions {
  /** A file path, or ":memory:" for a private in-memory database. */
  file: string;
  /** The clock, for tests of expiry. */
  now?: () => number;
  /** Counts statements and write transactions (benchmarks, tests). */
  counter?: SqlCounter;
}

/** A lost race for a candidate means another worker claimed it; after this many the worker polls again later. */
const CLAIM_ATTEMPTS = 20;

export class SqliteStore implements Store, InboxStats {
  private readonly db: Database.Database;
  private readonly now: () => number;
  private readonly counter: SqlCounter;
  /** Prepared statements by SQL text: preparing costs more than running these small queries. */
  private readonly statements = new Map<string, Database.Statement>();

  constructor(options: SqliteStoreOptions) {
    this.db = openDatabase(options.file);
    this.now = options.now ?? Date.now;
    this.counter = options.counter ?? { statements: 0, writeTransactions: 0 };
  }

  /** Opens `<dataDir>/databot.sqlite`. */
  static inDataDir(dataDir: string): SqliteStore {
    return new SqliteStore({ file: path.join(dataDir, "databot.sqlite") });
  }

  async enqueue(message: InboundMessage, dedupeTtlMs: number): Promise<EnqueueResult> {
    const now = this.now();
    const keys = [...new Set([message.id, ...(message.alternateIds ?? [])])];
    return this.transaction((): EnqueueResult => {
      const fresh = this.write(REMEMBER_IDS).all({
        keys: JSON.stringify(keys),
        until: now + dedupeTtlMs,
        now,
      });
      if (fresh.length < keys.length) return { accepted: false, reason: "duplicate" };
      const row = this.write(INSERT_ITEM).get(
        message.id,
        message.threadId,
        message.platform,
        JSON.stringify(message),
        now,
      ) as { seq: number; ahead: number } | undefined;
      return row
        ? { accepted: true, seq: row.seq, ahead: row.ahead }
        : { accepted: false, reason: "duplicate" };
    });
  }

  async claimNext(
    owner: string,
    leaseMs: number,
    platforms: readonly string[],
  ): Promise<ClaimedItem | undefined> {
    if (platforms.length === 0) return undefined;
    const list = JSON.stringify(platforms);
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      const now = this.now();
      const candidate = this.read(CANDIDATE).get({ now, platforms: list }) as { seq: number } | undefined;
      if (!candidate) return undefined;
      const token = randomUUID();
      const row = this.write(TAKE).get({ seq: candidate.seq, owner, token, until: now + leaseMs, now }) as
        InboxRow | undefined;
      if (row) return { ...toItem(row), lease: { seq: row.seq, token } };
    }
    return undefined;
  }

  async takeBack(owner: string): Promise<number> {
    const result = this.write(
      `UPDATE inbox SET status = 'pending', lease_owner = NULL, lease_token = NULL, lease_until = NULL
         WHERE lease_owner = ? AND status = 'processing'`,
    ).run(owner);
    return result.changes;
  }

  async renewLease(lease: Lease, leaseMs: number): Promise<boolean> {
    const result = this.write(
      "UPDATE inbox SET lease_until = ? WHERE seq = ? AND lease_token = ? AND status = 'processing'",
    ).run(this.now() + leaseMs, lease.seq, lease.token);
    return result.changes === 1;
  }

  async saveCheckpoint(lease: Lease, patch: TurnCheckpoint): Promise<boolean> {
    const entries = Object.entries(patch);
    const set = entries.filter(([, value]) => value !== undefined);
    const removed = entries.filter(([, value]) => value === undefined).map(([key]) => key);
    const result = this.write(
      checkpointUpdate(
        set.map(([key]) => key),
        removed,
      ),
    ).run(...set.map(([, value]) => JSON.stringify(value)), lease.seq, lease.token);
    return result.changes === 1;
  }

  async finish(lease: Lease, status: "done" | "failed", errorCode?: string): Promise<boolean> {
    const result = this.write(
      `UPDATE inbox SET status = ?, last_error = ?, lease_owner = NULL, lease_token = NULL, lease_until = NULL,
           finished_at = ?
         WHERE seq = ? AND lease_token = ? AND status = 'processing'`,
    ).run(status, errorCode ?? null, this.now(), lease.seq, lease.token);
    return result.changes === 1;
  }

  async release(lease: Lease, delayMs: number): Promise<void> {
    this.write(
      `UPDATE inbox SET status = 'pending', lease_owner = NULL, lease_token = NULL, lease_until = NULL,
           not_before = ?
         WHERE seq = ? AND lease_token = ? AND status = 'processing'`,
    ).run(this.now() + delayMs, lease.seq, lease.token);
  }

  async unfinishedInThread(chatThreadId: string): Promise<InboxItem[]> {
    const rows = this.read(
      "SELECT * FROM inbox WHERE thread_id = ? AND status IN ('pending', 'processing') ORDER BY seq",
    ).all(chatThreadId) as InboxRow[];
    return rows.map(toItem);
  }

  async latestInThread(chatThreadId: string, status: InboxStatus): Promise<InboxItem | undefined> {
    const row = this.read(
      "SELECT * FROM inbox WHERE thread_id = ? AND status = ? ORDER BY seq DESC LIMIT 1",
    ).get(chatThreadId, status) as InboxRow | undefined;
    return row ? toItem(row) : undefined;
  }

  async forgetThread(chatThreadId: string): Promise<number> {
    return this.write("DELETE FROM inbox WHERE thread_id = ? AND status IN ('done', 'failed')").run(
      chatThreadId,
    ).changes;
  }

  async reopen(seq: number, checkpoint: TurnCheckpoint): Promise<boolean> {
    // A reopened item goes to the back of its thread's queue (a new seq), so it cannot overtake later messages.
    return this.transaction((): boolean => {
      const row = this.write("DELETE FROM inbox WHERE seq = ? AND status = 'failed' RETURNING *").get(seq) as
        InboxRow | undefined;
      if (!row) return false;
      this.write(
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
  }

  async getItem(seq: number): Promise<InboxItem | undefined> {
    const row = this.read("SELECT * FROM inbox WHERE seq = ?").get(seq) as InboxRow | undefined;
    return row ? toItem(row) : undefined;
  }

  async getThread(chatThreadId: string): Promise<ThreadRecord | undefined> {
    const row = this.read("SELECT * FROM threads WHERE chat_thread_id = ?").get(chatThreadId) as
      ThreadRow | undefined;
    return row ? toThread(row) : undefined;
  }

  async putThread(chatThreadId: string, backend: string, agentThreadId: string): Promise<void> {
    const now = this.now();
    this.write(PUT_THREAD).run(chatThreadId, backend, agentThreadId, now, now);
  }

  async deleteThread(chatThreadId: string): Promise<void> {
    this.write("DELETE FROM threads WHERE chat_thread_id = ?").run(chatThreadId);
  }

  async listThreads(platformPrefix: string, limit: number): Promise<ThreadRecord[]> {
    // GLOB, unlike LIKE, is case-sensitive; its wildcards in the prefix are matched literally in brackets.
    const pattern = `${platformPrefix.replace(/[*?[]/g, (c) => `[${c}]`)}*`;
    const rows = this.read(
      "SELECT * FROM threads WHERE chat_thread_id GLOB ? ORDER BY updated_at DESC, rowid DESC LIMIT ?",
    ).all(pattern, limit) as ThreadRow[];
    return rows.map(toThread);
  }

  space(namespace: string): KeyValueSpace {
    return {
      get: async <T extends JsonValue>(key: string): Promise<T | undefined> => {
        const row = this.read(
          "SELECT value FROM kv WHERE namespace = ? AND key = ? AND (expires_at IS NULL OR expires_at > ?)",
        ).get(namespace, key, this.now()) as { value: string } | undefined;
        return row ? (JSON.parse(row.value) as T) : undefined;
      },
      put: async (key: string, value: JsonValue, ttlMs?: number): Promise<void> => {
        const expiresAt = ttlMs === undefined ? null : this.now() + ttlMs;
        this.write(PUT_VALUE).run(namespace, key, JSON.stringify(value), expiresAt);
      },
      delete: async (key: string): Promise<void> => {
        this.write("DELETE FROM kv WHERE namespace = ? AND key = ?").run(namespace, key);
      },
    };
  }

  async purgeExpired(keepFinishedMs: number): Promise<void> {
    const now = this.now();
    this.transaction(() => {
      this.write("DELETE FROM dedupe WHERE expires_at <= ?").run(now);
      this.write("DELETE FROM kv WHERE expires_at IS NOT NULL AND expires_at <= ?").run(now);
      this.write("DELETE FROM inbox WHERE status IN ('done', 'failed') AND finished_at <= ?").run(
        now - keepFinishedMs,
      );
    });
  }

  async inboxDepth(): Promise<InboxDepth> {
    const rows = this.read(
      "SELECT status, COUNT(*) AS n FROM inbox WHERE status IN ('pending', 'processing') GROUP BY status",
    ).all() as { status: "pending" | "processing"; n: number }[];
    const depth: InboxDepth = { pending: 0, processing: 0 };
    for (const row of rows) depth[row.status] = row.n;
    return depth;
  }

  async ping(): Promise<void> {
    this.read("SELECT 1").get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /** A statement that only reads. */
  private read(text: string): Database.Statement {
    this.counter.statements++;
    return this.prepared(text);
  }

  /** A statement that writes: a write transaction of its own unless it runs inside {@link transaction}. */
  private write(text: string): Database.Statement {
    this.counter.statements++;
    if (!this.db.inTransaction) this.counter.writeTransactions++;
    return this.prepared(text);
  }

  /** Runs `work` in one IMMEDIATE transaction (the write lock taken up front, so it never fails halfway). */
  private transaction<T>(work: () => T): T {
    this.counter.writeTransactions++;
    return this.db.transaction(work).immediate();
  }

  private prepared(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }
}

function openDatabase(file: string): Database.Database {
  if (file !== ":memory:") fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  migrateSchema(db);
  return db;
}
