/**
 * The local engine's threads on disk, like Azure's: a thread is the conversation history plus the files shared
 * in it, kept under `<dataDir>/local-engine/` so it survives restarts (the Python session does not; it is
 * rebuilt from these files). Uploads are streamed to disk and attached to a thread by a message.
 */
import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

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
}

const ID_PATTERN = /^local_(thread|file|msg|run)_[0-9a-f-]{36}$/;
const MAX_RUN_RECORDS = 50;

/** A new id of the given kind; ids double as directory names, so they are validated on the way back in. */
export function newLocalId(kind: "thread" | "file" | "msg" | "run"): string {
  return `local_${kind}_${randomUUID()}`;
}

function isLocalId(id: string, kind: "thread" | "file" | "msg" | "run"): boolean {
  return ID_PATTERN.test(id) && id.startsWith(`local_${kind}_`);
}

export class LocalThreadStore {
  private readonly threadsDir: string;
  private readonly uploadsDir: string;
  /** Serialises read-modify-write of one thread's record. */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(root: string) {
    this.threadsDir = path.join(root, "threads");
    this.uploadsDir = path.join(root, "uploads");
  }

  private threadDir(id: string): string {
    if (!isLocalId(id, "thread"))
      throw new Error(`not a local thread id: ${JSON.stringify(id.slice(0, 80))}`);
    return path.join(this.threadsDir, id);
  }

  async exists(id: string): Promise<boolean> {
    if (!isLocalId(id, "thread")) return false;
    try {
      await stat(path.join(this.threadDir(id), "thread.json"));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw error;
    }
  }

  async create(): Promise<LocalThread> {
    const thread: LocalThread = {
      id: newLocalId("thread"),
      createdAt: new Date().toISOString(),
      messages: [],
      runs: {},
      hadSession: false,
    };
    await mkdir(path.join(this.threadDir(thread.id), "files"), { recursive: true });
    await this.save(thread);
    return thread;
  }

  async load(id: string): Promise<LocalThread> {
    const text = await readFile(path.join(this.threadDir(id), "thread.json"), "utf8");
    return JSON.parse(text) as LocalThread;
  }

  private async save(thread: LocalThread): Promise<void> {
    const runIds = Object.keys(thread.runs);
    for (const old of runIds.slice(0, Math.max(0, runIds.length - MAX_RUN_RECORDS))) delete thread.runs[old];
    const file = path.join(this.threadDir(thread.id), "thread.json");
    const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
    await writeFile(temp, JSON.stringify(thread));
    await rename(temp, file);
  }

  /** Loads, changes and saves a thread, one change at a time per thread. */
  update<T>(id: string, change: (thread: LocalThread) => T | Promise<T>): Promise<T> {
    const previous = this.locks.get(id) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined) // an earlier failed change was already reported to its caller
      .then(async () => {
        const thread = await this.load(id);
        const result = await change(thread);
        await this.save(thread);
        return result;
      });
    this.locks.set(id, next);
    // The caller sees a failure; the clean-up must not leave a second, unhandled rejection behind.
    const unlock = () => {
      if (this.locks.get(id) === next) this.locks.delete(id);
    };
    next.then(unlock, unlock);
    return next;
  }

  async delete(id: string): Promise<void> {
    if (!isLocalId(id, "thread")) return;
    await rm(this.threadDir(id), { recursive: true, force: true });
  }

  /** Streams an upload to disk (never buffered whole) and returns its id. */
  async putUpload(
    name: string,
    mimeType: string,
    stream: Readable,
    signal?: AbortSignal,
  ): Promise<ThreadFile> {
    const id = newLocalId("file");
    const dir = path.join(this.uploadsDir, id);
    await mkdir(dir, { recursive: true });
    try {
      await pipeline(stream, createWriteStream(path.join(dir, "content"), { flags: "wx" }), { signal });
      const file: ThreadFile = { id, name, mimeType };
      await writeFile(path.join(dir, "meta.json"), JSON.stringify(file));
      return file;
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * Moves uploads into the thread (or finds files attached earlier) and returns their records. Unknown ids are
   * an error: the message would silently lose a file.
   */
  async attach(threadId: string, fileIds: string[]): Promise<ThreadFile[]> {
    const files: ThreadFile[] = [];
    for (const id of fileIds) {
      if (!isLocalId(id, "file")) throw new Error(`unknown file id ${JSON.stringify(id.slice(0, 80))}`);
      const inThread = path.join(this.threadDir(threadId), "files", id);
      const upload = path.join(this.uploadsDir, id);
      try {
        files.push(JSON.parse(await readFile(path.join(inThread, "meta.json"), "utf8")) as ThreadFile);
        continue;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
      const meta = JSON.parse(await readFile(path.join(upload, "meta.json"), "utf8")) as ThreadFile;
      await mkdir(path.dirname(inThread), { recursive: true });
      await rename(upload, inThread);
      files.push(meta);
    }
    return files;
  }

  /** Deletes uploads never attached to a message (a turn that failed in between), older than `maxAgeMs`. */
  async pruneUploads(maxAgeMs: number): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.uploadsDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return 0;
      throw error;
    }
    let removed = 0;
    for (const name of names) {
      if (!isLocalId(name, "file")) continue;
      const dir = path.join(this.uploadsDir, name);
      const { mtimeMs } = await stat(dir);
      if (Date.now() - mtimeMs < maxAgeMs) continue;
      await rm(dir, { recursive: true, force: true });
      removed += 1;
    }
    return removed;
  }

  /** Where a thread's file content is on disk. */
  filePath(threadId: string, fileId: string): string {
    if (!isLocalId(fileId, "file")) throw new Error("not a local file id");
    return path.join(this.threadDir(threadId), "files", fileId, "content");
  }
}
