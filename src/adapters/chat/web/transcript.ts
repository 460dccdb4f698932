/**
 * What the browser shows for each web thread, kept on disk so a reload (or a restart) shows the conversation:
 * `<dataDir>/web/threads/<key>/meta.json` (title and times), `transcript.jsonl` (one entry per line, appended)
 * and `files/<entryId>/<name>` (the charts and generated files of each reply).
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { CodeRun, Notice, ReplyError } from "../../../core/types";

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

/** Thread keys are UUIDs; checking the shape keeps request parameters out of other paths. */
const THREAD_KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ENTRY_ID = THREAD_KEY;
const TITLE_LENGTH = 60;
/** Output kept per code cell in the transcript; the full output stays with the backend. */
const CODE_OUTPUT_CAP = 20_000;
/** Conversations are private to the account databot runs as. */
const PRIVATE_DIR = { recursive: true, mode: 0o700 } as const;

export class TranscriptStore {
  private readonly root: string;
  private metas?: Map<string, ThreadMeta>;
  /** Appends per thread, in order. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(dataDir: string) {
    this.root = path.join(dataDir, "web", "threads");
  }

  /** Threads, most recently active first. */
  async list(limit: number): Promise<ThreadMeta[]> {
    const metas = await this.loadMetas();
    return [...metas.values()].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)).slice(0, limit);
  }

  async get(key: string): Promise<ThreadMeta | undefined> {
    if (!THREAD_KEY.test(key)) return undefined;
    return (await this.loadMetas()).get(key);
  }

  async create(): Promise<ThreadMeta> {
    const now = new Date().toISOString();
    const meta: ThreadMeta = { id: randomUUID(), title: "New chat", createdAt: now, updatedAt: now };
    await fsp.mkdir(this.threadDir(meta.id), PRIVATE_DIR);
    await this.writeMeta(meta);
    (await this.loadMetas()).set(meta.id, meta);
    return meta;
  }

  /** Every entry of the thread, oldest first. */
  async entries(key: string): Promise<TranscriptEntry[]> {
    if (!THREAD_KEY.test(key)) return [];
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

  /** Appends a user message; the first one names the thread. */
  async addUser(key: string, entry: Omit<UserEntry, "kind" | "id" | "at">): Promise<UserEntry> {
    const full: UserEntry = { kind: "user", id: randomUUID(), at: new Date().toISOString(), ...entry };
    await this.append(key, full, (meta) =>
      meta.title === "New chat" ? { ...meta, title: titleFrom(entry) } : meta,
    );
    return full;
  }

  /**
   * Appends a reply: charts are written from their bytes and files streamed from `open()` into the entry's
   * folder. A file that cannot be copied becomes a notice instead of failing the reply.
   */
  async addBot(
    key: string,
    reply: {
      replyTo: string;
      text: string;
      images: { name: string; alt: string; data: Buffer }[];
      files: { name: string; mimeType: string; open(): Promise<Readable> }[];
      code: CodeRun[];
      notices: Notice[];
      error?: ReplyError;
    },
  ): Promise<BotEntry> {
    const id = randomUUID();
    const dir = this.entryDir(key, id);
    await fsp.mkdir(dir, PRIVATE_DIR);
    const names = new UniqueNames();
    const images: StoredImage[] = [];
    for (const image of reply.images) {
      const name = names.take(image.name, ".png");
      await fsp.writeFile(path.join(dir, name), image.data, { flag: "wx" });
      images.push({ name, alt: image.alt });
    }
    const files: StoredFile[] = [];
    const notices = [...reply.notices];
    for (const file of reply.files) {
      const name = names.take(file.name);
      const target = path.join(dir, name);
      try {
        await pipeline(await file.open(), fs.createWriteStream(target, { flags: "wx" }));
        files.push({ name, mimeType: file.mimeType, size: (await fsp.stat(target)).size });
      } catch (error) {
        await fsp.rm(target, { force: true });
        notices.push({
          kind: "info",
          file: file.name,
          message: `The generated file "${file.name}" could not be saved (${(error as Error).message}).`,
        });
      }
    }
    const entry: BotEntry = {
      kind: "bot",
      id,
      replyTo: reply.replyTo,
      text: reply.text,
      images,
      files,
      code: reply.code.map((c) => ({
        ...c,
        output:
          c.output !== undefined && c.output.length > CODE_OUTPUT_CAP
            ? `${c.output.slice(0, CODE_OUTPUT_CAP)}\n[... output shortened ...]`
            : c.output,
      })),
      notices,
      ...(reply.error ? { error: reply.error } : {}),
      at: new Date().toISOString(),
    };
    await this.append(key, entry, (meta) => meta);
    return entry;
  }

  /** The path of a chart or file of a reply, when the entry lists it. */
  async assetPath(
    key: string,
    entryId: string,
    name: string,
  ): Promise<{ path: string; kind: "image" | "file"; mimeType: string } | undefined> {
    if (!THREAD_KEY.test(key) || !ENTRY_ID.test(entryId)) return undefined;
    const entry = (await this.entries(key)).find((e) => e.id === entryId);
    if (!entry || entry.kind !== "bot") return undefined;
    const file = path.join(this.entryDir(key, entryId), name);
    if (entry.images.some((i) => i.name === name))
      return { path: file, kind: "image", mimeType: "image/png" };
    const generated = entry.files.find((f) => f.name === name);
    return generated ? { path: file, kind: "file", mimeType: generated.mimeType } : undefined;
  }

  private async append(
    key: string,
    entry: TranscriptEntry,
    updateMeta: (meta: ThreadMeta) => ThreadMeta,
  ): Promise<void> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        const metas = await this.loadMetas();
        const meta = metas.get(key) ?? {
          id: key,
          title: "New chat",
          createdAt: entry.at,
          updatedAt: entry.at,
        };
        await fsp.mkdir(this.threadDir(key), PRIVATE_DIR);
        await fsp.appendFile(
          path.join(this.threadDir(key), "transcript.jsonl"),
          `${JSON.stringify(entry)}\n`,
        );
        const updated = { ...updateMeta(meta), updatedAt: entry.at };
        metas.set(key, updated);
        await this.writeMeta(updated);
      });
    this.queues.set(key, next);
    try {
      await next;
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

  private entryDir(key: string, entryId: string): string {
    return path.join(this.threadDir(key), "files", entryId);
  }
}

/** An entry as the browser gets it: charts and files with their download addresses. */
export function presentEntry(key: string, entry: TranscriptEntry): TranscriptEntry {
  if (entry.kind !== "bot") return entry;
  const url = (name: string) =>
    `/web/api/threads/${key}/entries/${entry.id}/files/${encodeURIComponent(name)}`;
  return {
    ...entry,
    images: entry.images.map((i) => ({ ...i, url: url(i.name) })),
    files: entry.files.map((f) => ({ ...f, url: url(f.name) })),
  };
}

function titleFrom(entry: { text: string; attachments: { name: string }[] }): string {
  const firstLine = entry.text.trim().split("\n")[0]?.trim() ?? "";
  const title = firstLine || entry.attachments.map((a) => a.name).join(", ") || "New chat";
  return title.length > TITLE_LENGTH ? `${title.slice(0, TITLE_LENGTH - 1)}…` : title;
}

/** Safe, unique file names within one reply's folder. */
class UniqueNames {
  private readonly taken = new Set<string>();

  take(wanted: string, requiredExtension?: string): string {
    let base = path
      .basename(wanted.replace(/\\/g, "/"))
      .replace(/[^\w.\- ()]+/g, "_")
      .replace(/^\.+/, "")
      .slice(-120);
    if (base === "") base = "file";
    if (requiredExtension && !base.toLowerCase().endsWith(requiredExtension)) base += requiredExtension;
    let name = base;
    for (let n = 2; this.taken.has(name.toLowerCase()); n++) {
      const dot = base.lastIndexOf(".");
      name = dot > 0 ? `${base.slice(0, dot)}-${n}${base.slice(dot)}` : `${base}-${n}`;
    }
    this.taken.add(name.toLowerCase());
    return name;
  }
}
