/** The SQL of the SQLite store that is more than a line, and the mapping of its rows to the port's records. */
import type { InboxItem, InboxStatus, ThreadRecord, TurnCheckpoint } from "../../../core/ports";
import type { InboundMessage } from "../../../core/types";

/** Unfinished, not waiting out a delay, and either pending or held under a lapsed lease. */
const RUNNABLE = `i.not_before <= @now
  AND (i.status = 'pending' OR (i.status = 'processing' AND i.lease_until < @now))
  -- Nothing earlier in the thread is unfinished, and nothing later is running (a reopened item).
  AND NOT EXISTS (SELECT 1 FROM inbox o INDEXED BY inbox_unfinished_thread
                  WHERE o.thread_id = i.thread_id AND o.seq <> i.seq
                  AND o.status IN ('pending', 'processing')
                  AND (o.seq < i.seq OR o.lease_until >= @now))`;

/** A read: the oldest runnable item of the worker's platforms. */
export const CANDIDATE = `SELECT seq FROM inbox i
  WHERE i.status IN ('pending', 'processing')
    AND i.platform IN (SELECT value FROM json_each(@platforms))
    AND ${RUNNABLE}
  ORDER BY i.seq LIMIT 1`;

/**
 * One atomic write that claims the candidate only if it is still runnable (the rules checked again under the
 * write lock): another worker that got there first makes this change nothing, and the caller looks again.
 */
export const TAKE = `UPDATE inbox AS i SET status = 'processing', lease_owner = @owner, lease_token = @token,
    lease_until = @until, attempts = attempts + 1
  WHERE i.seq = @seq AND i.status IN ('pending', 'processing') AND ${RUNNABLE}
  RETURNING *`;

/**
 * Remembers every id of a message in one statement. A key is written when new or expired; a live key is left
 * alone and not returned, so fewer keys back than given means the message was seen.
 */
export const REMEMBER_IDS = `INSERT INTO dedupe (key, expires_at)
  SELECT value, @until FROM json_each(@keys) WHERE true
  ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE dedupe.expires_at <= @now
  RETURNING key`;

export const INSERT_ITEM = `INSERT INTO inbox (message_id, thread_id, platform, message, status, enqueued_at)
  VALUES (?, ?, ?, ?, 'pending', ?)
  ON CONFLICT (message_id) DO NOTHING
  RETURNING seq, (SELECT count(*) FROM inbox o INDEXED BY inbox_unfinished_thread
    WHERE o.thread_id = inbox.thread_id AND o.status IN ('pending', 'processing') AND o.seq < inbox.seq) AS ahead`;

export const PUT_THREAD = `INSERT INTO threads (chat_thread_id, backend, agent_thread_id, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (chat_thread_id) DO UPDATE SET backend = excluded.backend,
    agent_thread_id = excluded.agent_thread_id, updated_at = excluded.updated_at`;

export const PUT_VALUE = `INSERT INTO kv (namespace, key, value, expires_at) VALUES (?, ?, ?, ?)
  ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`;

/**
 * The checkpoint update for a patch with these keys: each top-level key replaced whole (json_set with json()),
 * a key patched to undefined removed. Parameters: the JSON of each set value, in order, then seq and token.
 */
export function checkpointUpdate(set: readonly string[], removed: readonly string[]): string {
  const quoted = (key: string) => {
    // Checkpoint keys are the port's field names; anything else would be spliced into SQL, so it is refused.
    if (!/^\w+$/.test(key)) throw new Error(`Not a checkpoint key: ${JSON.stringify(key)}`);
    return `'$.${key}'`;
  };
  let expression = "checkpoint";
  if (removed.length > 0) expression = `json_remove(${expression}, ${removed.map(quoted).join(", ")})`;
  if (set.length > 0) {
    expression = `json_set(${expression}, ${set.map((key) => `${quoted(key)}, json(?)`).join(", ")})`;
  }
  return `UPDATE inbox SET checkpoint = ${expression}
    WHERE seq = ? AND lease_token = ? AND status = 'processing'`;
}

export interface InboxRow {
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
  lease_token: string | null;
}

export interface ThreadRow {
  chat_thread_id: string;
  backend: string;
  agent_thread_id: string;
  created_at: number;
  updated_at: number;
}

export function toItem(row: InboxRow): InboxItem {
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

export function toThread(row: ThreadRow): ThreadRecord {
  return {
    chatThreadId: row.chat_thread_id,
    backend: row.backend,
    agentThreadId: row.agent_thread_id,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}
