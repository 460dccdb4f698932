/**
 * The browser chat's own history: what each web thread shows after a reload, a restart or on another replica.
 * The charts and files of the replies are blobs (see `blobs.ts`); these are the threads and their entries.
 */
import type { CodeRun, Notice, ReplyError } from "../types";

/** What a thread is called before its first message names it. */
export const NEW_TITLE = "New chat";

/** A message the person sent. */
export interface UserEntry {
  kind: "user";
  id: string;
  /** The InboundMessage id; replies point back to it. */
  messageId: string;
  text: string;
  attachments: { name: string; size?: number }[];
  at: string;
}

/** A stored chart or file of a reply, by the name it has in the entry's folder. */
export interface StoredImage {
  name: string;
  alt: string;
  /** Set when sent to the browser. */
  url?: string;
}

export interface StoredFile {
  name: string;
  mimeType: string;
  size: number;
  /** Set when sent to the browser. */
  url?: string;
}

/** What databot answered. */
export interface BotEntry {
  kind: "bot";
  id: string;
  /** The message this answers. */
  replyTo: string;
  text: string;
  images: StoredImage[];
  files: StoredFile[];
  code: CodeRun[];
  notices: Notice[];
  error?: ReplyError;
  at: string;
}

export type TranscriptEntry = UserEntry | BotEntry;

export interface ThreadMeta {
  /** The id part of `web:<id>`. */
  id: string;
  title: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * Where the web threads and their entries are kept. Contract (checked for both implementations by
 * `test/web-transcripts.test.ts`): entries come back in the order appended; appending to a thread that does not
 * exist (it was deleted) writes nothing and says so; a deleted thread is gone from `list` and `get`; `idleSince`
 * lists by last activity.
 */
export interface TranscriptRecords {
  /** Threads, most recently active first. */
  list(limit: number): Promise<ThreadMeta[]>;
  get(key: string): Promise<ThreadMeta | undefined>;
  insert(meta: ThreadMeta): Promise<void>;
  /** Every entry of the thread, oldest first. */
  entries(key: string): Promise<TranscriptEntry[]>;
  /**
   * Appends an entry and makes the thread recently active; `title` names a thread still called "New chat".
   * False when there is no such thread.
   */
  append(key: string, entry: TranscriptEntry, title?: string): Promise<boolean>;
  /** False when there is no such thread. */
  rename(key: string, title: string): Promise<boolean>;
  /** Deletes the thread and its entries. */
  delete(key: string): Promise<void>;
  /**
   * Threads whose last activity (`updatedAt`) is before `cutoff`, least recently active first, at most `limit`:
   * what the `RETENTION_DAYS` purge deletes.
   */
  idleSince(cutoff: Date, limit: number): Promise<ThreadMeta[]>;
}
