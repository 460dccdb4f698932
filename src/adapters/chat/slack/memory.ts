/**
 * What the Slack adapter keeps in the shared store, so every replica (and a restarted one) sees it: the threads
 * databot answers (follow-ups there need no mention) and the code behind each "Show code" button.
 */
import { randomUUID } from "node:crypto";
import type { KeyValueSpace, KeyValueSpaces } from "../../../core/ports";
import type { JsonObject } from "../../../core/types";

const DAY_MS = 24 * 3600_000;
/** A thread stays "databot's" this long after its last question. */
const THREAD_TTL_MS = 90 * DAY_MS;

/** A thread databot answers; follow-ups there need no mention. */
export interface DatabotThread {
  markedAt: string;
}

/** The code that ran for one answer, and where to post it. */
export interface StoredCode {
  channel: string;
  threadTs: string;
  cells: { code: string; output?: string }[];
  /** When the snippet was posted (a second click points at it instead of posting again). */
  postedAt?: string;
}

/** Threads this process knows to be databot's, so twins and follow-ups skip a store read. */
const KNOWN_THREADS_CACHE = 10_000;

export class SlackMemory {
  private readonly knownThreads = new Map<string, DatabotThread>();

  private readonly threads: KeyValueSpace;
  private readonly codes: KeyValueSpace;

  /** How long "Show code" keeps working after an answer: `RETENTION_DAYS`, as the rest of a conversation. */
  readonly codeDays: number;
  private readonly codeTtlMs: number;

  constructor(spaces: KeyValueSpaces, retentionDays: number) {
    this.codeDays = retentionDays;
    this.codeTtlMs = retentionDays * DAY_MS;
    this.threads = spaces.space("threads");
    this.codes = spaces.space("code");
  }

  /** Marks a thread as one databot answers (again, to extend its time, when it was marked a day ago or more). */
  async rememberThread(threadId: string, known?: DatabotThread): Promise<void> {
    if (known && Date.now() - Date.parse(known.markedAt) < DAY_MS) return;
    const mark = { markedAt: new Date().toISOString() };
    await this.threads.put(threadId, mark, THREAD_TTL_MS);
    this.cacheThread(threadId, mark);
  }

  /** The thread's mark if databot answers it (only positive answers are cached: another replica may mark it). */
  async databotThread(threadId: string): Promise<DatabotThread | undefined> {
    const cached = this.knownThreads.get(threadId);
    if (cached && Date.now() - Date.parse(cached.markedAt) < THREAD_TTL_MS) return cached;
    const stored = (await this.threads.get<JsonObject>(threadId)) as DatabotThread | undefined;
    if (stored) this.cacheThread(threadId, stored);
    return stored;
  }

  private cacheThread(threadId: string, mark: DatabotThread): void {
    if (this.knownThreads.size >= KNOWN_THREADS_CACHE) this.knownThreads.clear();
    this.knownThreads.set(threadId, mark);
  }

  /** Keeps the code of an answer; returns the key the button carries (Slack limits a button's value). */
  async keepCode(code: Omit<StoredCode, "postedAt">): Promise<string> {
    const key = randomUUID();
    await this.codes.put(key, toJson(code), this.codeTtlMs);
    return key;
  }

  async code(key: string): Promise<StoredCode | undefined> {
    return this.codes.get<JsonObject>(key) as Promise<StoredCode | undefined>;
  }

  async markCodePosted(key: string, code: StoredCode, postedAt: string): Promise<void> {
    await this.codes.put(key, toJson({ ...code, postedAt }), this.codeTtlMs);
  }
}

function toJson(value: object): JsonObject {
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}
