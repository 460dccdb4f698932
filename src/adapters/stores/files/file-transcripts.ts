/**
 * Web threads on disk, for a single process: `<dataDir>/web/threads/<key>/meta.json` (title and times) and
 * `transcript.jsonl` (one entry per line, appended). The thread list is read once and then kept in memory.
 */
import fsp from "node:fs/promises";
import path from "node:path";
import {
  NEW_TITLE,
  type ThreadMeta,
  type TranscriptEntry,
  type TranscriptRecords,
} from "../../../core/ports/transcripts";

/** Thread keys are UUIDs; checking the shape keeps them out of other paths. */
const THREAD_KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Conversations are private to the account databot runs as. */
const PRIVATE_DIR = { recursive: true, mode: 0o700 } as const;

export class FileTranscriptRecords implements TranscriptRecords {
  private readonly root: string;
  private metas?: Map<string, ThreadMeta>;
  /** Changes per thread, in order. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(dataDir: string) {
    this.root = path.join(dataDir, "web", "threads");
  }

  async list(limit: number): Promise<ThreadMeta[]> {
    const metas = await this.loadMetas();
    return [...metas.values()].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)).slice(0, limit);
  }

  async get(key: string): Promise<ThreadMeta | undefined> {
    return (await this.loadMetas()).get(key);
  }

  async insert(meta: ThreadMeta): Promise<void> {
    await fsp.mkdir(this.threadDir(meta.id), PRIVATE_DIR);
    await this.writeMeta(meta);
    (await this.loadMetas()).set(meta.id, meta);
  }

  async entries(key: string): Promise<TranscriptEntry[]> {
    let text: string;
    try {
      text = await fsp.readFile(path.join(this.threadDir(key), "transcript.jsonl"), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    return text
      .split("\n")
      .filter((line) => line.trim() !== "")
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as TranscriptEntry];
        } catch {
          // A line cut short by a crash mid-write: the rest of the transcript is still good.
          return [];
        }
      });
  }

  append(key: string, entry: TranscriptEntry, title?: string): Promise<boolean> {
    return this.change(key, async (meta) => {
      await fsp.appendFile(path.join(this.threadDir(key), "transcript.jsonl"), `${JSON.stringify(entry)}\n`);
      return { ...meta, title: title && meta.title === NEW_TITLE ? title : meta.title, updatedAt: entry.at };
    });
  }

  rename(key: string, title: string): Promise<boolean> {
    return this.change(key, async (meta) => ({ ...meta, title }));
  }

  async delete(key: string): Promise<void> {
    await this.inOrder(key, async () => {
      (await this.loadMetas()).delete(key);
      await fsp.rm(this.threadDir(key), { recursive: true, force: true });
    });
  }

  async idleSince(cutoff: Date, limit: number): Promise<ThreadMeta[]> {
    const before = cutoff.toISOString(); // every time here is an ISO string, so they compare as text
    return [...(await this.loadMetas()).values()]
      .filter((meta) => meta.updatedAt < before)
      .sort((a, b) => a.updatedAt.localeCompare(b.updatedAt))
      .slice(0, limit);
  }

  /** Changes a thread's description (after `work`), in order with its other changes; false when it is gone. */
  private change(key: string, work: (meta: ThreadMeta) => Promise<ThreadMeta>): Promise<boolean> {
    return this.inOrder(key, async () => {
      const metas = await this.loadMetas();
      const meta = metas.get(key);
      if (!meta) return false;
      const updated = await work(meta);
      metas.set(key, updated);
      await this.writeMeta(updated);
      return true;
    });
  }

  private async inOrder<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.queues.set(key, next);
    try {
      return await next;
    } finally {
      if (this.queues.get(key) === next) this.queues.delete(key);
    }
  }

  private async loadMetas(): Promise<Map<string, ThreadMeta>> {
    if (this.metas) return this.metas;
    const metas = new Map<string, ThreadMeta>();
    await fsp.mkdir(this.root, PRIVATE_DIR);
    for (const key of await fsp.readdir(this.root)) {
      if (!THREAD_KEY.test(key)) continue;
      try {
        const meta = JSON.parse(await fsp.readFile(path.join(this.threadDir(key), "meta.json"), "utf8"));
        metas.set(key, meta as ThreadMeta);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT" && !(error instanceof SyntaxError))
          throw error;
      }
    }
    this.metas ??= metas;
    return this.metas;
  }

  private async writeMeta(meta: ThreadMeta): Promise<void> {
    const target = path.join(this.threadDir(meta.id), "meta.json");
    const temp = `${target}.${process.pid}.tmp`;
    await fsp.writeFile(temp, JSON.stringify(meta));
    await fsp.rename(temp, target);
  }

  private threadDir(key: string): string {
    if (!THREAD_KEY.test(key)) throw new Error("not a web thread key");
    return path.join(this.root, key);
  }
}
