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
  /**
   * Set once the reply was posted, before the item is marked done: a turn resumed after a crash between the two
   * finishes without posting the answer again. `ids` are the platform's message ids where it gives them.
   */
  posted?: { at: number; outcome: "done" | "failed"; errorCode?: string; ids?: string[] };
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

/**
 * One claim of an inbox item: the item's sequence number and a token unique to this claim. Every write for a
 * claimed item carries its lease; once the lease is lost (it lapsed and someone else claimed the item, or the
 * item was taken back at a restart) every write with it is refused, even from the same process.
 */
export interface Lease {
  seq: number;
  token: string;
}

/** An item as a worker claimed it, with the lease that lets it write. */
export interface ClaimedItem extends InboxItem {
  lease: Lease;
}

/** The agent thread that a chat thread maps to. */
export interface ThreadRecord {
  chatThreadId: string;
  backend: string;
  agentThreadId: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * What became of a delivered message. An accepted one says how many earlier messages of its chat thread were
 * still unfinished when it was recorded (so the thread can be told it waits), read in the same statement.
 */
export type EnqueueResult =
  { accepted: true; seq: number; ahead: number } | { accepted: false; reason: "duplicate" };

/**
 * The durable inbox: dedupe, claims with leases, checkpoints.
 *
 * Concurrency contract (what lets several replicas share one store): a worker *claims* an item with a lease;
 * only the holder of that lease may checkpoint or finish it; an item whose lease expired may be claimed again
 * by anyone. At most one item per chat thread is claimed at a time, and never one whose earlier sibling is
 * unfinished, so each thread is answered in order. SQLite does this with single-statement claims; PostgreSQL with
 * `FOR UPDATE SKIP LOCKED`.
 */
export interface Inbox {
  /**
   * Records a message unless any of its ids (`id`, `alternateIds`) was seen within `dedupeTtlMs`. Atomic: of
   * concurrent deliveries of the same message — to one replica or to several — exactly one is accepted.
   */
  enqueue(message: InboundMessage, dedupeTtlMs: number): Promise<EnqueueResult>;

  /**
   * Claims the oldest runnable item of the given platforms: pending (or processing with an expired lease), with
   * no earlier unfinished item in its thread, and no other claimed item in its thread. A worker names only the
   * platforms it can answer on, so a CLI run and a server can share one store. `owner` names the replica (stable
   * across its restarts). Undefined when nothing is runnable; finding nothing writes nothing.
   */
  claimNext(owner: string, leaseMs: number, platforms: readonly string[]): Promise<ClaimedItem | undefined>;

  /**
   * At a replica's start: the items its earlier process held are made claimable at once (that process is gone),
   * instead of waiting for their leases to lapse. Their old leases stop working. Returns how many there were.
   */
  takeBack(owner: string): Promise<number>;

  /** Extends the lease; false when it was lost (the holder must stop working on the item). */
  renewLease(lease: Lease, leaseMs: number): Promise<boolean>;

  /** Merges `patch` into the item's checkpoint (top-level keys replaced whole); false when the lease was lost. */
  saveCheckpoint(lease: Lease, patch: TurnCheckpoint): Promise<boolean>;

  /** Marks the item done or failed and ends the lease; false when the lease was already lost. */
  finish(lease: Lease, status: "done" | "failed", errorCode?: string): Promise<boolean>;

  /** Gives the item back unfinished (for example on shutdown), claimable again after `delayMs`. */
  release(lease: Lease, delayMs: number): Promise<void>;

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

  /**
   * Deletes the thread's finished (done or failed) items at once, message text and all (`databot forget`, the
   * retention purge); pending and processing ones stay. Returns how many went.
   */
  forgetThread(chatThreadId: string): Promise<number>;
}

/** Which agent thread each chat thread continues. */
export interface ThreadMap {
  getThread(chatThreadId: string): Promise<ThreadRecord | undefined>;
  putThread(chatThreadId: string, backend: string, agentThreadId: string): Promise<void>;
  deleteThread(chatThreadId: string): Promise<void>;
  /** Every chat thread of a platform, newest first (the web chat lists them). */
  listThreads(platformPrefix: string, limit: number): Promise<ThreadRecord[]>;
}

/** One adapter's own small durable values (conversation references, threads databot joined, "Show code"). */
export interface KeyValueSpace {
  get<T extends JsonValue>(key: string): Promise<T | undefined>;
  /** Values expire after `ttlMs` if given. */
  put(key: string, value: JsonValue, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Hands each adapter a space of its own, so no adapter can read or overwrite another's values. */
export interface KeyValueSpaces {
  space(namespace: string): KeyValueSpace;
}

/** Upkeep of the store as a whole. */
export interface StoreMaintenance {
  /** Removes expired dedupe keys and values, and finished items older than `keepFinishedMs`. */
  purgeExpired(keepFinishedMs: number): Promise<void>;
  /** Resolves when the store answers; used by `/readyz`. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Everything a store implementation provides; each part of databot receives only the parts it uses. */
export interface Store extends Inbox, ThreadMap, KeyValueSpaces, StoreMaintenance {}
