/**
 * The local engine's thread records on disk, for a single process: `<dataDir>/local-engine/threads/<id>/thread.json`,
 * replaced whole (through a temporary file) at each change; changes of one thread are queued in memory.
 */
import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  isLocalId,
  lastActivity,
  trimRuns,
  type LocalThread,
  type LocalThreadRecords,
} from "./local-threads";

export class FileLocalThreadRecords implements LocalThreadRecords {
  private readonly threadsDir: string;
  /** Serialises read-modify-write of one thread's record. */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(dataDir: string) {
    this.threadsDir = path.join(dataDir, "local-engine", "threads");
  }

  async insert(thread: LocalThread): Promise<void> {
    await mkdir(this.threadDir(thread.id), { recursive: true, mode: 0o700 });
    await this.save(thread);
  }

  async load(id: string): Promise<LocalThread | undefined> {
    try {
      return JSON.parse(await readFile(this.recordPath(id), "utf8")) as LocalThread;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }

  update<T>(id: string, change: (thread: LocalThread) => T | Promise<T>): Promise<T> {
    const previous = this.locks.get(id) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined) // an earlier failed change was already reported to its caller
      .then(async () => {
        const thread = await this.load(id);
        if (!thread) throw new Error(`no local thread ${JSON.stringify(id.slice(0, 80))}`);
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
    await rm(path.join(this.threadDir(id), "thread.json"), { force: true });
  }

  async idleSince(cutoff: Date, limit: number): Promise<string[]> {
    let ids: string[];
    try {
      ids = (await readdir(this.threadsDir)).filter((id) => isLocalId(id, "thread"));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const idle: string[] = [];
    // One record at a time: a process's threads are few, and each record is small (runs are trimmed).
    for (const id of ids) {
      if (idle.length >= limit) break;
      const thread = await this.load(id).catch(() => undefined); // a record cut short stays for a person to see
      if (thread && lastActivity(thread) < cutoff.getTime()) idle.push(id);
    }
    return idle;
  }

  private async save(thread: LocalThread): Promise<void> {
    trimRuns(thread);
    const file = this.recordPath(thread.id);
    const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
    await writeFile(temp, JSON.stringify(thread));
    await rename(temp, file);
  }

  private recordPath(id: string): string {
    return path.join(this.threadDir(id), "thread.json");
  }

  private threadDir(id: string): string {
    if (!isLocalId(id, "thread"))
      throw new Error(`not a local thread id: ${JSON.stringify(id.slice(0, 80))}`);
    return path.join(this.threadsDir, id);
  }
}
