/**
 * The store for several replicas: PostgreSQL through one pool. Every operation is one statement (claims with
 * `FOR UPDATE SKIP LOCKED`, dedupe and insert together, upkeep), so it is atomic without holding a connection
 * across calls, and replicas never wait on each other for longer than a statement.
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
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
import { CountedPool } from "./counted-pool";
import { checkReachable, migrate, openPool } from "./database";
import { STORE_MIGRATIONS } from "./store-migrations";
import {
  CLAIM,
  ENQUEUE,
  FINISH,
  FORGET_THREAD,
  GET_VALUE,
  LIST_THREADS,
  PURGE,
  PUT_THREAD,
  PUT_VALUE,
  RELEASE,
  RENEW,
  REOPEN,
  SAVE_CHECKPOINT,
  TAKE_BACK,
  toItem,
  toThread,
  type InboxRow,
  type ThreadRow,
} from "./store-sql";

export interface PostgresStoreOptions {
  /** DATABASE_URL. */
  url: string;
  maxConnections?: number;
  /** The clock, for tests of expiry; by default the server's, the same for every replica. */
  now?: () => number;
  /** Counts statements and write transactions (benchmarks, tests). */
  counter?: SqlCounter;
  /** The process's pool, when it has one (checked reachable by its owner, who also ends it). */
  pool?: pg.Pool;
}

export class PostgresStore implements Store, InboxStats {
  private closed = false;

  private constructor(
    private readonly db: CountedPool,
    private readonly clock: (() => number) | undefined,
    private readonly ownsPool: boolean,
  ) {}

  /** Connects (failing at once, naming DATABASE_URL, when the server cannot be reached) and migrates. */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const pool = options.pool ?? openPool({ url: options.url, maxConnections: options.maxConnections });
    const owned = options.pool === undefined;
    try {
      if (owned) await checkReachable(pool, options.url);
      await migrate(pool, STORE_MIGRATIONS);
    } catch (error) {
      if (owned) await pool.end();
      throw error;
    }
    const counter = options.counter ?? { statements: 0, writeTransactions: 0 };
    return new PostgresStore(new CountedPool(pool, counter), options.now, owned);
  }

  async enqueue(message: InboundMessage, dedupeTtlMs: number): Promise<EnqueueResult> {
    const keys = [...new Set([message.id, ...(message.alternateIds ?? [])])].sort();
    const result = await this.db.write<{ seq: string; ahead: string }>(ENQUEUE, [
      this.now(),
      keys,
      dedupeTtlMs,
      message.id,
      message.threadId,
      message.platform,
      JSON.stringify(message),
    ]);
    const row = result.rows[0];
    return row
      ? { accepted: true, seq: Number(row.seq), ahead: Number(row.ahead) }
      : { accepted: false, reason: "duplicate" };
  }

  async claimNext(
    owner: string,
    leaseMs: number,
    platforms: readonly string[],
  ): Promise<ClaimedItem | undefined> {
    if (platforms.length === 0) return undefined;
    const token = randomUUID();
    const [row] = await this.db.writeIfFound<InboxRow>(CLAIM, [
      this.now(),
      owner,
      token,
      leaseMs,
      [...platforms],
    ]);
    if (!row) return undefined;
    const item = toItem(row);
    return { ...item, lease: { seq: item.seq, token } };
  }

  async takeBack(owner: string): Promise<number> {
    return (await this.db.write(TAKE_BACK, [owner])).rowCount ?? 0;
  }

  async renewLease(lease: Lease, leaseMs: number): Promise<boolean> {
    return this.held(RENEW, lease, [leaseMs, this.now()]);
  }

  async saveCheckpoint(lease: Lease, patch: TurnCheckpoint): Promise<boolean> {
    const entries = Object.entries(patch);
    const set = Object.fromEntries(entries.filter(([, value]) => value !== undefined));
    const keys = entries.map(([key]) => key);
    return this.held(SAVE_CHECKPOINT, lease, [JSON.stringify(set), keys]);
  }

  async finish(lease: Lease, status: "done" | "failed", errorCode?: string): Promise<boolean> {
    return this.held(FINISH, lease, [status, errorCode ?? null, this.now()]);
  }

  async release(lease: Lease, delayMs: number): Promise<void> {
    await this.held(RELEASE, lease, [delayMs, this.now()]);
  }

  async unfinishedInThread(chatThreadId: string): Promise<InboxItem[]> {
    const rows = await this.db.read<InboxRow>(
      "SELECT * FROM store_inbox WHERE thread_id = $1 AND status IN ('pending', 'processing') ORDER BY seq",
      [chatThreadId],
    );
    return rows.map(toItem);
  }

  async latestInThread(chatThreadId: string, status: InboxStatus): Promise<InboxItem | undefined> {
    const [row] = await this.db.read<InboxRow>(
      "SELECT * FROM store_inbox WHERE thread_id = $1 AND status = $2 ORDER BY seq DESC LIMIT 1",
      [chatThreadId, status],
    );
    return row ? toItem(row) : undefined;
  }

  async forgetThread(chatThreadId: string): Promise<number> {
    return (await this.db.write(FORGET_THREAD, [chatThreadId])).rowCount ?? 0;
  }

  async reopen(seq: number, checkpoint: TurnCheckpoint): Promise<boolean> {
    const result = await this.db.write(REOPEN, [this.now(), seq, JSON.stringify(checkpoint)]);
    return result.rowCount === 1;
  }

  async getItem(seq: number): Promise<InboxItem | undefined> {
    const [row] = await this.db.read<InboxRow>("SELECT * FROM store_inbox WHERE seq = $1", [seq]);
    return row ? toItem(row) : undefined;
  }

  async getThread(chatThreadId: string): Promise<ThreadRecord | undefined> {
    const [row] = await this.db.read<ThreadRow>("SELECT * FROM store_threads WHERE chat_thread_id = $1", [
      chatThreadId,
    ]);
    return row ? toThread(row) : undefined;
  }

  async putThread(chatThreadId: string, backend: string, agentThreadId: string): Promise<void> {
    await this.db.write(PUT_THREAD, [this.now(), chatThreadId, backend, agentThreadId]);
  }

  async deleteThread(chatThreadId: string): Promise<void> {
    await this.db.write("DELETE FROM store_threads WHERE chat_thread_id = $1", [chatThreadId]);
  }

  async listThreads(platformPrefix: string, limit: number): Promise<ThreadRecord[]> {
    const pattern = `${platformPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return (await this.db.read<ThreadRow>(LIST_THREADS, [pattern, limit])).map(toThread);
  }

  space(namespace: string): KeyValueSpace {
    return {
      get: async <T extends JsonValue>(key: string): Promise<T | undefined> => {
        const [row] = await this.db.read<{ value: string }>(GET_VALUE, [this.now(), namespace, key]);
        return row ? (JSON.parse(row.value) as T) : undefined;
      },
      put: async (key: string, value: JsonValue, ttlMs?: number): Promise<void> => {
        await this.db.write(PUT_VALUE, [this.now(), namespace, key, JSON.stringify(value), ttlMs ?? null]);
      },
      delete: async (key: string): Promise<void> => {
        await this.db.write("DELETE FROM store_kv WHERE namespace = $1 AND key = $2", [namespace, key]);
      },
    };
  }

  async purgeExpired(keepFinishedMs: number): Promise<void> {
    await this.db.write(PURGE, [this.now(), keepFinishedMs]);
  }

  async inboxDepth(): Promise<InboxDepth> {
    const rows = await this.db.read<{ status: "pending" | "processing"; n: number }>(
      `SELECT status, COUNT(*)::int AS n FROM store_inbox
         WHERE status IN ('pending', 'processing') GROUP BY status`,
      [],
    );
    const depth: InboxDepth = { pending: 0, processing: 0 };
    for (const row of rows) depth[row.status] = row.n;
    return depth;
  }

  async ping(): Promise<void> {
    await this.db.read("SELECT 1", []);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsPool) await this.db.end();
  }

  /** The injected time, or null for the server's clock (see store-sql.ts). */
  private now(): number | null {
    return this.clock ? this.clock() : null;
  }

  /** A write for a claimed item; false when its lease was lost. */
  private async held(text: string, lease: Lease, params: unknown[]): Promise<boolean> {
    const result = await this.db.write(text, [lease.seq, lease.token, ...params]);
    return result.rowCount === 1;
  }
}
