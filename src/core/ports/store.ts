import type { UploadedFile } from "./agent-backend";
import type { InboundMessage, JsonObject, JsonValue, Notice } from "../types";

/** Where one message is in its turn. Saved after every step, so a restart resumes instead of repeating. */
export interface TurnCheckpoint {
  /** The agent thread the turn runs on. */
  agentThreadId?: string;
  /** Files already uploaded for this message, by attachment index. */
  uploads?: { index: number; file: UploadedFile }[];
  /** Notices for the reply (refused files), and the attachment indexes they settled. */
  notices?: Notice[];
  refused?: number[];
  /** Set once the user message was added to the agent thread. */
  agentMessageId?: string;
  /** Set as soon as the backend reports the run id. */
  runId?: string;
  /** The answer text the thread shows live, so a resumed turn finishes that message instead of posting another. */
  live?: { channel: "stream" | "draft"; handle: JsonObject; openedAt: number };
}

export type InboxStatus = "pending" | "processing" | "done" | "failed";

/** A message in the durable inbox. */
export interface InboxItem {
  /** Store-assigned, increasing: the order messages arrived in. */
  seq: number;
  message: InboundMessage;
  status: InboxStatus;
  /** How many times a worker claimed it. */
  attempts: number;
  checkpoint: TurnCheckpoint;
  /** ISO time the store accepted it. */
  enqueuedAt: string;
  /** The error code of the last failure, if any. */
  lastError?: string;
}

/** The agent thread that a chat thread maps to. */
export interface ThreadRecord {
  chatThreadId: string;
  backend: string;
  agentThreadId: string;
  createdAt: string;
  updatedAt: string;
}

export type EnqueueResult = { accepted: true; seq: number } | { accepted: false; reason: "duplicate" };

/**
 * Durable state: dedupe, the inbox, the thread map and a small key-value space for adapters.
 *
 * Concurrency contract (what lets several replicas share one store): a worker *claims* an item with a lease;
 * only the lease owner may checkpoint or finish it; an item whose lease expired may be claimed again by anyone.
 * At most one item per chat thread is claimed at a time, and never one whose earlier sibling is unfinished, so
 * each thread is answered in order. SQLite does this in one transaction; Postgres with `FOR UPDATE SKIP LOCKED`.
 */
export interface Store {
  /**
   * Records a message unless any of its ids (`id`, `alternateIds`) was seen within `dedupeTtlMs`. Atomic: of
   * concurrent deliveries of the same message exactly one is accepted. Returns before the platform is acked.
   */
  enqueue(message: InboundMessage, dedupeTtlMs: number): Promise<EnqueueResult>;

  /**
   * Claims the oldest runnable item of the given platforms: pending (or processing with an expired lease), with
   * no earlier unfinished item in its thread, and no other claimed item in its thread. A worker names only the
   * platforms it can answer on, so a CLI run and a server can share one store. Undefined when nothing is runnable.
   */
  claimNext(owner: string, leaseMs: number, platforms: readonly string[]): Promise<InboxItem | undefined>;

  /** Extends a lease the owner still holds; false when it was lost (the owner must stop working on it). */
  renewLease(seq: number, owner: string, leaseMs: number): Promise<boolean>;

  /** Merges `patch` into the item's checkpoint; false when the owner lost the lease. */
  saveCheckpoint(seq: number, owner: string, patch: TurnCheckpoint): Promise<boolean>;

  /** Marks the item done or failed and releases its lease. */
  finish(seq: number, owner: string, status: "done" | "failed", errorCode?: string): Promise<void>;

  /** Gives the item back unfinished (for example on shutdown), claimable again after `delayMs`. */
  release(seq: number, owner: string, delayMs: number): Promise<void>;

  /** Items of a thread that are pending or processing, oldest first. */
  unfinishedInThread(chatThreadId: string): Promise<InboxItem[]>;

  /** The most recent item of a thread with the given status, if any. */
  latestInThread(chatThreadId: string, status: InboxStatus): Promise<InboxItem | undefined>;

  /**
   * Re-opens a failed item as pending at the back of its thread's queue (the user asked to retry), with the
   * given checkpoint replacing the old one. False when the item is not failed.
   */
  reopen(seq: number, checkpoint: TurnCheckpoint): Promise<boolean>;

  /** The item with this sequence number. */
  getItem(seq: number): Promise<InboxItem | undefined>;

  getThread(chatThreadId: string): Promise<ThreadRecord | undefined>;
  putThread(chatThreadId: string, backend: string, agentThreadId: string): Promise<void>;
  deleteThread(chatThreadId: string): Promise<void>;

  /** Every chat thread of a platform, newest first (the web chat lists them). */
  listThreads(platformPrefix: string, limit: number): Promise<ThreadRecord[]>;

  /** Adapter state (conversation references, threads databot joined). Values expire after `ttlMs` if given. */
  getValue<T extends JsonValue>(namespace: string, key: string): Promise<T | undefined>;
  putValue(namespace: string, key: string, value: JsonValue, ttlMs?: number): Promise<void>;

  /** Removes expired dedupe keys and values, and finished items older than `keepFinishedMs`. */
  purgeExpired(keepFinishedMs: number): Promise<void>;

  /** Resolves when the store answers; used by `/readyz`. */
  ping(): Promise<void>;

  close(): Promise<void>;
}
