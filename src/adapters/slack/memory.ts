/**
 * What the Slack adapter keeps in the shared store, so every replica (and a restarted one) sees it: the threads
 * databot answers (follow-ups there need no mention), the code behind each "Show code" button, and the message
 * an answer is being streamed into (so a resumed turn finishes that message instead of starting another).
 */
import { randomUUID } from "node:crypto";
import type { Store } from "../../core/ports";
import type { JsonObject } from "../../core/types";

const THREADS = "slack.threads";
const CODE = "slack.code";
const ANSWERS = "slack.answers";

const DAY_MS = 24 * 3600_000;
/** A thread stays "databot's" this long after its last question. */
const THREAD_TTL_MS = 90 * DAY_MS;
/** How long "Show code" keeps working after an answer. */
export const CODE_TTL_MS = 30 * DAY_MS;
const ANSWER_TTL_MS = DAY_MS;

/** The code that ran for one answer, and where to post it. */
export interface StoredCode {
  channel: string;
  threadTs: string;
  cells: { code: string; output?: string }[];
  /** When the snippet was posted (a second click points at it instead of posting again). */
  postedAt?: string;
}

/** The message an answer's text is going into, for a turn that resumes after a restart. */
export interface AnswerMessage {
  channel: string;
  ts: string;
  /** "stream" while Slack's stream is open, "update" once it is finished or was never native. */
  mode: "stream" | "update";
}

export class SlackMemory {
  constructor(private readonly store: Store) {}

  /** Marks a thread as one databot answers. */
  async rememberThread(threadId: string): Promise<void> {
    await this.store.putValue(THREADS, threadId, { since: new Date().toISOString() }, THREAD_TTL_MS);
  }

  async isDatabotThread(threadId: string): Promise<boolean> {
    return (await this.store.getValue(THREADS, threadId)) !== undefined;
  }

  /** Keeps the code of an answer; returns the key the button carries (Slack limits a button's value). */
  async keepCode(code: Omit<StoredCode, "postedAt">): Promise<string> {
    const key = randomUUID();
    await this.store.putValue(CODE, key, toJson(code), CODE_TTL_MS);
    return key;
  }

  async code(key: string): Promise<StoredCode | undefined> {
    return this.store.getValue<JsonObject>(CODE, key) as Promise<StoredCode | undefined>;
  }

  async markCodePosted(key: string, code: StoredCode, postedAt: string): Promise<void> {
    await this.store.putValue(CODE, key, toJson({ ...code, postedAt }), CODE_TTL_MS);
  }

  async answerMessage(messageId: string): Promise<AnswerMessage | undefined> {
    return this.store.getValue<JsonObject>(ANSWERS, messageId) as Promise<AnswerMessage | undefined>;
  }

  async keepAnswerMessage(messageId: string, answer: AnswerMessage): Promise<void> {
    await this.store.putValue(ANSWERS, messageId, toJson(answer), ANSWER_TTL_MS);
  }
}

function toJson(value: object): JsonObject {
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}
