/**
 * The PostgreSQL store's statements. In those that need the time, `$1` is "now" in epoch milliseconds: the
 * injected clock when there is one, else NULL and the server's clock, so every replica judges leases and expiry
 * by the same time.
 */
import type { InboxItem, InboxStatus, ThreadRecord, TurnCheckpoint } from "../../../core/ports";
import type { InboundMessage } from "../../../core/types";

/** "Now" from parameter `$n`. */
const at = (n: number) =>
  `COALESCE($${n}::bigint, (extract(epoch FROM statement_timestamp()) * 1000)::bigint)`;
const NOW = at(1);

/**
 * Claims the oldest runnable item in one statement. SKIP LOCKED passes over a row another worker is claiming;
 * only the oldest unfinished item of a thread can be runnable, so two workers never take two of one thread.
 * Parameters: now, owner, token, lease ms, platforms.
 */
export const CLAIM = `UPDATE store_inbox SET status = 'processing', lease_owner = $2, lease_token = $3,
    lease_until = ${NOW} + $4, attempts = attempts + 1
  WHERE seq = (
    SELECT i.seq FROM store_inbox i
    WHERE i.status IN ('pending', 'processing')
      AND i.platform = ANY ($5::text[])
      AND i.not_before <= ${NOW}
      AND (i.status = 'pending' OR i.lease_until < ${NOW})
      -- Nothing earlier in the thread is unfinished, and nothing later is running (a reopened item).
      AND NOT EXISTS (SELECT 1 FROM store_inbox o
                      WHERE o.thread_id = i.thread_id AND o.seq <> i.seq
                        AND o.status IN ('pending', 'processing')
                        AND (o.seq < i.seq OR o.lease_until >= ${NOW}))
    ORDER BY i.seq LIMIT 1
    FOR UPDATE SKIP LOCKED)
  RETURNING *`;

/**
 * Dedupe and insert in one statement. Each id is inserted, or refreshed if expired; a live one is left alone and
 * not returned, so fewer keys back than given means the message was seen. Concurrent deliveries wait on each
 * other's key rows (taken in sorted order, so they cannot deadlock); exactly one gets all its keys.
 * Parameters: now, sorted distinct keys, ttl ms, message id, thread, platform, message JSON.
 */
export const ENQUEUE = `WITH fresh AS (
    INSERT INTO store_dedupe (key, expires_at)
      SELECT key, ${NOW} + $3 FROM unnest($2::text[]) AS key ORDER BY key
    ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at
      WHERE store_dedupe.expires_at <= ${NOW}
    RETURNING key)
  INSERT INTO store_inbox (message_id, thread_id, platform, message, status, enqueued_at)
    SELECT $4, $5, $6, $7, 'pending', ${NOW}
    WHERE (SELECT count(*) FROM fresh) = cardinality($2::text[])
  ON CONFLICT (message_id) DO NOTHING
  RETURNING seq, (SELECT count(*) FROM store_inbox o
    WHERE o.thread_id = $5 AND o.status IN ('pending', 'processing') AND o.seq < store_inbox.seq) AS ahead`;

/** Writes for a claimed item match its lease token. Parameters: seq, token, then the statement's own. */
const HELD = "seq = $1 AND lease_token = $2 AND status = 'processing'";

/** Parameters: seq, token, lease ms, now. */
export const RENEW = `UPDATE store_inbox SET lease_until = ${at(4)} + $3 WHERE ${HELD}`;

/**
 * Top-level keys replaced whole: the patched and the removed keys are dropped, then the patch is added.
 * Parameters: seq, token, the patch's defined values as JSON, every key it names.
 */
export const SAVE_CHECKPOINT = `UPDATE store_inbox SET checkpoint = (checkpoint - $4::text[]) || $3::jsonb
  WHERE ${HELD}`;

/** Parameters: seq, token, status, error code, now. */
export const FINISH = `UPDATE store_inbox SET status = $3, last_error = $4, lease_owner = NULL, lease_token = NULL,
    lease_until = NULL, finished_at = ${at(5)}
  WHERE ${HELD}`;

/** Parameters: seq, token, delay ms, now. */
export const RELEASE = `UPDATE store_inbox SET status = 'pending', lease_owner = NULL, lease_token = NULL,
    lease_until = NULL, not_before = ${at(4)} + $3
  WHERE ${HELD}`;

/** Parameter: owner. */
export const TAKE_BACK = `UPDATE store_inbox SET status = 'pending', lease_owner = NULL, lease_token = NULL,
    lease_until = NULL
  WHERE lease_owner = $1 AND status = 'processing'`;

/** A new seq puts the reopened item at the back of its thread. Parameters: now, seq, checkpoint. */
export const REOPEN = `WITH gone AS (DELETE FROM store_inbox WHERE seq = $2 AND status = 'failed' RETURNING *)
  INSERT INTO store_inbox (message_id, thread_id, platform, message, status, attempts, checkpoint, enqueued_at)
    SELECT message_id, thread_id, platform, message, 'pending', attempts, $3::jsonb, ${NOW} FROM gone
  RETURNING seq`;

/** Parameters: now, chat thread, backend, agent thread. */
export const PUT_THREAD = `INSERT INTO store_threads (chat_thread_id, backend, agent_thread_id, created_at, updated_at)
    VALUES ($2, $3, $4, ${NOW}, ${NOW})
  ON CONFLICT (chat_thread_id) DO UPDATE SET backend = excluded.backend,
    agent_thread_id = excluded.agent_thread_id, updated_at = excluded.updated_at`;

/** Parameters: LIKE pattern (PostgreSQL's LIKE is case-sensitive), limit. */
export const LIST_THREADS = `SELECT * FROM store_threads WHERE chat_thread_id LIKE $1 ESCAPE '\\'
  ORDER BY updated_at DESC, created_order DESC LIMIT $2`;

/** Parameters: now, namespace, key. */
export const GET_VALUE = `SELECT value FROM store_kv
  WHERE namespace = $2 AND key = $3 AND (expires_at IS NULL OR expires_at > ${NOW})`;

/** Parameters: now, namespace, key, JSON, ttl ms or NULL. */
export const PUT_VALUE = `INSERT INTO store_kv (namespace, key, value, expires_at)
    VALUES ($2, $3, $4, ${NOW} + $5::bigint)
  ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`;

/** One statement, so upkeep is all or nothing. Parameters: now, how long finished items are kept. */
export const PURGE = `WITH keys AS (DELETE FROM store_dedupe WHERE expires_at <= ${NOW}),
    spaces AS (DELETE FROM store_kv WHERE expires_at <= ${NOW})
  DELETE FROM store_inbox WHERE status IN ('done', 'failed') AND finished_at <= ${NOW} - $2`;

/** A thread's finished items, deleted at once (`databot forget`, retention). Parameters: thread id. */
export const FORGET_THREAD = `DELETE FROM store_inbox WHERE thread_id = $1 AND status IN ('done', 'failed')`;

export interface InboxRow {
  seq: string;
  message: string;
  status: InboxStatus;
  attempts: number;
  checkpoint: TurnCheckpoint;
  enqueued_at: string;
  last_error: string | null;
}

export interface ThreadRow {
  chat_thread_id: string;
  backend: string;
  agent_thread_id: string;
  created_at: string;
  updated_at: string;
}

/** BIGINT columns arrive as strings (they may exceed 2^53 in general; seq and epoch ms never do). */
export function toItem(row: InboxRow): InboxItem {
  return {
    seq: Number(row.seq),
    message: JSON.parse(row.message) as InboundMessage,
    status: row.status,
    attempts: row.attempts,
    checkpoint: row.checkpoint,
    enqueuedAt: new Date(Number(row.enqueued_at)).toISOString(),
    lastError: row.last_error ?? undefined,
  };
}

export function toThread(row: ThreadRow): ThreadRecord {
  return {
    chatThreadId: row.chat_thread_id,
    backend: row.backend,
    agentThreadId: row.agent_thread_id,
    createdAt: new Date(Number(row.created_at)).toISOString(),
    updatedAt: new Date(Number(row.updated_at)).toISOString(),
  };
}
