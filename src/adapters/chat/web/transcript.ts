/**
 * What the browser shows for each web thread, so a reload (or a restart, or another replica) shows the
 * conversation: the thread's title and times and its entries are `TranscriptRecords` (files in DATA_DIR, or
 * PostgreSQL), and the charts and generated files of each reply are blobs under
 * `web/threads/<key>/files/<entryId>/<name>`.
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import { Readable } from "node:stream";
import type { BlobStore } from "../../../core/ports/blobs";
import {
  NEW_TITLE,
  type BotEntry,
  type StoredFile,
  type StoredImage,
  type ThreadMeta,
  type TranscriptEntry,
  type TranscriptRecords,
  type UserEntry,
} from "../../../core/ports/transcripts";
import type { CodeRun, Notice, ReplyError } from "../../../core/types";

export type {
  BotEntry,
  ThreadMeta,
  TranscriptEntry,
  TranscriptRecords,
  UserEntry,
} from "../../../core/ports/transcripts";

/** Thread keys are UUIDs; checking the shape keeps request parameters out of other paths. */
const THREAD_KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ENTRY_ID = THREAD_KEY;
const TITLE_LENGTH = 60;
/** Output kept per code cell in the transcript; the full output stays with the backend. */
const CODE_OUTPUT_CAP = 20_000;

/** An asset of a reply opened for download. */
export interface OpenedAsset {
  kind: "image" | "file";
  mimeType: string;
  size: number;
  stream: Readable;
}

/** Idle threads deleted per retention purge; the rest go in the next one (hourly). */
const PURGE_BATCH = 500;

export class TranscriptStore {
  constructor(
    private readonly records: TranscriptRecords,
    private readonly blobs: BlobStore,
    /** The clock entries and threads are stamped with (tests move it). */
    private readonly now: () => Date = () => new Date(),
  ) {}

  list(limit: number): Promise<ThreadMeta[]> {
    return this.records.list(limit);
  }

  async get(key: string): Promise<ThreadMeta | undefined> {
    return THREAD_KEY.test(key) ? this.records.get(key) : undefined;
  }

  async create(): Promise<ThreadMeta> {
    const now = this.now().toISOString();
    const meta: ThreadMeta = { id: randomUUID(), title: NEW_TITLE, createdAt: now, updatedAt: now };
    await this.records.insert(meta);
    return meta;
  }

  async entries(key: string): Promise<TranscriptEntry[]> {
    return THREAD_KEY.test(key) ? this.records.entries(key) : [];
  }

  /** Appends a user message; the first one names the thread. */
  async addUser(key: string, entry: Omit<UserEntry, "kind" | "id" | "at">): Promise<UserEntry> {
    const full: UserEntry = { kind: "user", id: randomUUID(), at: this.now().toISOString(), ...entry };
    await this.records.append(key, full, titleFrom(entry));
    return full;
  }

  /**
   * Appends a reply: charts are stored from their bytes and files streamed from `open()`. A file that cannot be
   * copied becomes a notice instead of failing the reply. A reply to a thread deleted meanwhile is dropped
   * (its assets with it): undefined then.
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
  ): Promise<BotEntry | undefined> {
    if (!THREAD_KEY.test(key)) throw new Error("not a web thread key");
    const id = randomUUID();
    const names = new UniqueNames();
    const images: StoredImage[] = [];
    for (const image of reply.images) {
      const name = names.take(image.name, ".png");
      await this.blobs.put(assetKey(key, id, name), Readable.from([image.data]));
      images.push({ name, alt: image.alt });
    }
    const files: StoredFile[] = [];
    const notices = [...reply.notices];
    for (const file of reply.files) {
      const name = names.take(file.name);
      try {
        const stored = await this.blobs.put(assetKey(key, id, name), await file.open());
        files.push({ name, mimeType: file.mimeType, size: stored.size });
      } catch (error) {
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
      at: this.now().toISOString(),
    };
    if (!(await this.records.append(key, entry))) {
      await this.blobs.deletePrefix(`web/threads/${key}/files/${id}/`);
      return undefined;
    }
    return entry;
  }

  /** Renames a thread; false when there is no such thread. */
  async rename(key: string, title: string): Promise<boolean> {
    if (!THREAD_KEY.test(key)) return false;
    return this.records.rename(key, clipTitle(title.trim().replace(/\s+/g, " ")) || NEW_TITLE);
  }

  /** Deletes a thread, its entries and every chart and file of its replies. */
  async delete(key: string): Promise<void> {
    if (!THREAD_KEY.test(key)) return;
    await this.records.delete(key);
    await this.blobs.deletePrefix(`web/threads/${key}/`);
  }

  /**
   * Deletes threads (entries, charts and files) last active before `cutoff` (`RETENTION_DAYS`); returns their
   * keys.
   */
  async purgeIdle(cutoff: Date): Promise<string[]> {
    const idle = await this.records.idleSince(cutoff, PURGE_BATCH);
    for (const meta of idle) await this.delete(meta.id);
    return idle.map((meta) => meta.id);
  }

  /** A chart or file of a reply, opened for download, when the entry lists it. */
  async openAsset(key: string, entryId: string, name: string): Promise<OpenedAsset | undefined> {
    if (!THREAD_KEY.test(key) || !ENTRY_ID.test(entryId)) return undefined;
    const entry = (await this.entries(key)).find((e) => e.id === entryId);
    if (!entry || entry.kind !== "bot") return undefined;
    const image = entry.images.some((i) => i.name === name);
    const generated = entry.files.find((f) => f.name === name);
    if (!image && !generated) return undefined;
    const blob = await this.blobs.get(assetKey(key, entryId, name));
    if (!blob) return undefined;
    return image
      ? { kind: "image", mimeType: "image/png", size: blob.info.size, stream: blob.stream }
      : { kind: "file", mimeType: generated!.mimeType, size: blob.info.size, stream: blob.stream };
  }
}

/** Where a reply's chart or file is kept (the same path the transcript folders always used). */
function assetKey(key: string, entryId: string, name: string): string {
  return `web/threads/${key}/files/${entryId}/${name}`;
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
  return clipTitle(firstLine || entry.attachments.map((a) => a.name).join(", ") || NEW_TITLE);
}

function clipTitle(title: string): string {
  return title.length > TITLE_LENGTH ? `${title.slice(0, TITLE_LENGTH - 1)}…` : title;
}

/** Safe, unique file names within one reply (names that are also valid blob key segments). */
class UniqueNames {
  private readonly taken = new Set<string>();

  take(wanted: string, requiredExtension?: string): string {
    let base = path
      .basename(wanted.replace(/\\/g, "/"))
      .replace(/[^\w.\- ()]+/g, "_")
      .replace(/^[. ]+/, "")
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
