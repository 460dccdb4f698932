/**
 * Everything the fake service holds, in wire shape, plus the rules that hold across endpoints: one active run per
 * thread, no new messages while a run is active.
 */
import { ApiError, type JsonObject, newId, notFound, nowSeconds } from "./wire";

export type RunStatus =
  | "queued"
  | "in_progress"
  | "requires_action"
  | "cancelling"
  | "cancelled"
  | "failed"
  | "completed"
  | "expired"
  | "incomplete";

export const ACTIVE_STATUSES: ReadonlySet<string> = new Set([
  "queued",
  "in_progress",
  "requires_action",
  "cancelling",
]);

export interface WireObject extends JsonObject {
  id: string;
  created_at: number;
}

export interface WireRun extends WireObject {
  thread_id: string;
  assistant_id: string;
  status: RunStatus;
}

export interface StoredFile {
  info: WireObject & { bytes: number; filename: string; purpose: string; status: string };
  content: Buffer;
}

export class FakeState {
  readonly agents = new Map<string, WireObject>();
  readonly threads = new Map<string, WireObject>();
  /** Messages per thread, in creation order. */
  readonly messages = new Map<string, WireObject[]>();
  /** Runs per thread, in creation order. */
  readonly runs = new Map<string, WireRun[]>();
  /** Steps per run, in creation order. */
  readonly steps = new Map<string, WireObject[]>();
  readonly files = new Map<string, StoredFile>();
  /** Runs whose cancel was requested; the run engine notices at its next step. */
  readonly cancelRequested = new Set<string>();
  /** File bytes received by uploads so far, counted as they arrive (shows that a client streams). */
  uploadBytesReceived = 0;
  /**
   * Keep what uploads contain (default). Off, the fake only counts the bytes — for a test that measures the
   * client's memory in the same process.
   */
  keepUploadContent = true;

  agent(id: string): WireObject {
    const agent = this.agents.get(id);
    if (!agent) throw notFound("assistant", id);
    return agent;
  }

  thread(id: string): WireObject {
    const thread = this.threads.get(id);
    if (!thread) throw notFound("thread", id);
    return thread;
  }

  run(threadId: string, runId: string): WireRun {
    this.thread(threadId);
    const run = this.runs.get(threadId)?.find((r) => r.id === runId);
    if (!run) throw notFound("run", runId);
    return run;
  }

  file(id: string): StoredFile {
    const file = this.files.get(id);
    if (!file) throw new ApiError(404, `No such File object: ${id}`, "invalid_request_error", "id");
    return file;
  }

  activeRun(threadId: string): WireRun | undefined {
    return this.runs.get(threadId)?.find((r) => ACTIVE_STATUSES.has(r.status));
  }

  createThread(metadata: JsonObject | null, toolResources: JsonObject | null): WireObject {
    const thread: WireObject = {
      id: newId("thread_"),
      object: "thread",
      created_at: nowSeconds(),
      metadata: metadata ?? {},
      tool_resources: toolResources ?? {},
    };
    this.threads.set(thread.id, thread);
    this.messages.set(thread.id, []);
    this.runs.set(thread.id, []);
    return thread;
  }

  deleteThread(id: string): void {
    this.thread(id);
    for (const run of this.runs.get(id) ?? []) this.steps.delete(run.id);
    this.threads.delete(id);
    this.messages.delete(id);
    this.runs.delete(id);
  }

  /** Adds a message; refused while a run is active, as the service does. */
  addMessage(
    threadId: string,
    fields: JsonObject,
    opts: { runId?: string; assistantId?: string } = {},
  ): WireObject {
    this.thread(threadId);
    const active = this.activeRun(threadId);
    if (active && !opts.runId) {
      throw new ApiError(400, `Can't add messages to ${threadId} while a run ${active.id} is active.`);
    }
    const now = nowSeconds();
    const message: WireObject = {
      id: newId("msg_"),
      object: "thread.message",
      created_at: now,
      thread_id: threadId,
      status: opts.runId ? "in_progress" : "completed",
      incomplete_details: null,
      completed_at: opts.runId ? null : now,
      incomplete_at: null,
      role: "user",
      content: [],
      assistant_id: opts.assistantId ?? null,
      run_id: opts.runId ?? null,
      attachments: [],
      metadata: {},
      ...fields,
    };
    this.messages.get(threadId)!.push(message);
    return message;
  }

  addFile(content: Buffer, filename: string, purpose: string, bytes = content.length): StoredFile["info"] {
    const info = {
      id: newId("assistant-", 22),
      object: "file",
      bytes,
      filename,
      created_at: nowSeconds(),
      purpose,
      status: "processed",
      status_details: null,
    };
    this.files.set(info.id, { info, content });
    return info;
  }
}
