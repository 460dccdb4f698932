/**
 * The local engine's threads, like Azure's: a thread is the conversation history plus the files shared in it,
 * kept so it survives restarts and can be picked up by another replica (the Python session cannot; it is
 * rebuilt from these files). The records are {@link LocalThreadRecords} (a file per thread in DATA_DIR, or
 * PostgreSQL); the files are blobs: uploads are streamed to `local-engine/uploads/<file>/content` and moved
 * to `local-engine/threads/<thread>/files/<file>/content` when a message attaches them.
 */
import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import type { BlobStore } from "../../../core/ports/blobs";

/** A file attached to a thread. */
export interface ThreadFile {
  id: string;
  name: string;
  mimeType: string;
}

export interface ThreadMessage {
  id: string;
  role: "user" | "assistant";
  text: string;
  authorName?: string;
  files: ThreadFile[];
  /** For an assistant message: the run that wrote it. */
  runId?: string;
  createdAt: string;
}

/** What is known about a run after a restart. */
export interface RunRecord {
  /** The user message the run answers. */
  messageId: string;
  status: "in_progress" | "completed" | "failed" | "cancelled";
}

export interface LocalThread {
  id: string;
  createdAt: string;
  messages: ThreadMessage[];
  runs: Record<string, RunRecord>;
  /** A Python session was opened for this thread before (so a new one is a restart). */
  hadSession: boolean;
  /** `ensureThread` already told the core that the session ended; the run that opens the next one need not. */
  restartReported?: boolean;
  /**
   * Which backend process opened the thread's current session. Another process holding an older session of
   * the thread (the thread's turns moved between replicas) ends it, since its variables are stale.
   */
  sessionHolder?: string;
}

/**
 * Where the thread records are kept. Contract (`test/local-thread-records.test.ts`, both implementations):
 * `update` changes of one thread apply one at a time — across replicas too — each seeing the one before;
 * `load` of an unknown thread is undefined.
 */
export interface LocalThreadRecords {
  insert(thread: LocalThread): Promise<void>;
  load(id: string): Promise<LocalThread | undefined>;
  /** Loads, changes and saves a thread; the change sees every earlier one. Fails for an unknown thread. */
  update<T>(id: string, change: (thread: LocalThread) => T | Promise<T>): Promise<T>;
  delete(id: string): Promise<void>;
  /**
   * Threads whose last activity ({@link lastActivity}) is before `cutoff`, at most `limit`: what the retention
   * purge deletes.
   */
  idleSince(cutoff: Date, limit: number): Promise<string[]>;
}

/** When a thread was last used: its newest message, or its creation. */
export function lastActivity(thread: Pick<LocalThread, "createdAt" | "messages">): number {
  const newest = thread.messages[thread.messages.length - 1]?.createdAt;
  return Date.parse(newest || thread.createdAt);
}

const ID_PATTERN = /^local_(thread|file|msg|run)_[0-9a-f-]{36}$/;
/** Runs remembered per thread; older ones are forgotten when the record is saved. */
export const MAX_RUN_RECORDS = 50;

/** A new id of the given kind; ids double as directory names, so they are validated on the way back in. */
export function newLocalId(kind: "thread" | "file" | "msg" | "run"): string {
  return `local_${kind}_${randomUUID()}`;
}

export function isLocalId(id: string, kind: "thread" | "file" | "msg" | "run"): boolean {
  return ID_PATTERN.test(id) && id.startsWith(`local_${kind}_`);
}

/** Forgets all but the newest run records, so a long thread's record stays small. */
export function trimRuns(thread: LocalThread): void {
  const runIds = Object.keys(thread.runs);
  for (const old of runIds.slice(0, Math.max(0, runIds.length - MAX_RUN_RECORDS))) delete thread.runs[old];
}

export class LocalThreadStore {
  constructor(
    private readonly records: LocalThreadRecords,
    private readonly blobs: BlobStore,
  ) {}

  async exists(id: string): Promise<boolean> {
    if (!isLocalId(id, "thread")) return false;
    return (await this.records.load(id)) !== undefined;
  }

  async create(): Promise<LocalThread> {
    const thread: LocalThread = {
      id: newLocalId("thread"),
      createdAt: new Date().toISOString(),
      messages: [],
      runs: {},
      hadSession: false,
    };
    await this.records.insert(thread);
    return thread;
  }

  async load(id: string): Promise<LocalThread> {
    const thread = isLocalId(id, "thread") ? await this.records.load(id) : undefined;
    if (!thread) throw new Error(`no local thread ${JSON.stringify(id.slice(0, 80))}`);
    return thread;
  }

  /** Loads, changes and saves a thread, one change at a time per thread. */
  update<T>(id: string, change: (thread: LocalThread) => T | Promise<T>): Promise<T> {
    if (!isLocalId(id, "thread")) return Promise.reject(new Error("not a local thread id"));
    return this.records.update(id, change);
  }

  async delete(id: string): Promise<void> {
    if (!isLocalId(id, "thread")) return;
    await this.records.delete(id);
    await this.blobs.deletePrefix(`local-engine/threads/${id}/`);
  }

  /** Ids of threads last used before `cutoff`. */
  idleSince(cutoff: Date, limit: number): Promise<string[]> {
    return this.records.idleSince(cutoff, limit);
  }

  /** Streams an upload into the blob store (never buffered whole) and returns its id. */
  async putUpload(
    name: string,
    mimeType: string,
    stream: Readable,
    signal?: AbortSignal,
  ): Promise<ThreadFile> {
    const file: ThreadFile = { id: newLocalId("file"), name, mimeType };
    await this.blobs.put(uploadKey(file.id), stream, { meta: { ...file }, signal });
    return file;
  }

  /**
   * Moves uploads into the thread (or finds files attached earlier) and returns their records. Unknown ids are
   * an error: the message would silently lose a file.
   */
  async attach(threadId: string, fileIds: string[]): Promise<ThreadFile[]> {
    const files: ThreadFile[] = [];
    for (const id of fileIds) {
      if (!isLocalId(id, "file")) throw new Error(`unknown file id ${JSON.stringify(id.slice(0, 80))}`);
      const target = threadFileKey(threadId, id);
      const info = (await this.blobs.head(target)) ?? (await this.blobs.head(uploadKey(id)));
      if (!info) throw new Error(`unknown file id ${JSON.stringify(id)}`);
      await this.blobs.move(uploadKey(id), target);
      const { name, mimeType } = info.meta;
      files.push({ id, name: String(name ?? id), mimeType: String(mimeType ?? "application/octet-stream") });
    }
    return files;
  }

  /** Deletes uploads never attached to a message (a turn that failed in between), older than `maxAgeMs`. */
  pruneUploads(maxAgeMs: number): Promise<number> {
    return this.blobs.expire("local-engine/uploads/", maxAgeMs);
  }

  /** A thread's file content, streamed. */
  async openFile(threadId: string, fileId: string): Promise<Readable> {
    if (!isLocalId(fileId, "file")) throw new Error("not a local file id");
    const blob = await this.blobs.get(threadFileKey(threadId, fileId));
    if (!blob) throw new Error(`the thread's file ${fileId} is gone`);
    return blob.stream;
  }
}

function uploadKey(fileId: string): string {
  return `local-engine/uploads/${fileId}/content`;
}

function threadFileKey(threadId: string, fileId: string): string {
  if (!isLocalId(threadId, "thread")) throw new Error("not a local thread id");
  return `local-engine/threads/${threadId}/files/${fileId}/content`;
}
