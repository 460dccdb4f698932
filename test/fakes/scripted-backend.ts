/**
 * An in-memory AgentBackend that answers instantly (or when a test says so) with a scripted output: by default a
 * short text, one real PNG chart and one generated CSV. It keeps the port's contract (test/contracts): uploads
 * are consumed as streams, one run is active per thread and a second start reattaches to it, runs can be
 * resumed by id and cancelled, and state lives in the "service" behind the backend: shared by two conversation
 * services on one instance, and by the instance {@link ScriptedBackend.restarted} makes, as the cloud would be.
 */
import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import type {
  AgentBackend,
  AgentFileInput,
  AgentMessageInput,
  AgentOutput,
  EnsuredThread,
  RunObserver,
  UploadedFile,
} from "../../src/core/ports";
import { DatabotError, ErrorCode } from "../../src/core/errors";
import { makePng } from "../support/png";

export interface ScriptContext {
  threadId: string;
  runId: string;
  /** Every message of the thread so far, oldest first. */
  messages: AgentMessageInput[];
  /** The files attached to the latest message, with the bytes the backend received. */
  latestFiles: StoredFile[];
  /** Emits progress like a real run would. */
  observer: RunObserver;
  /** Aborts when the run is cancelled (not when a caller stops waiting for it). */
  signal: AbortSignal;
}

export type Script = (context: ScriptContext) => Promise<AgentOutput> | AgentOutput;

export interface StoredFile extends UploadedFile {
  bytes: number;
  /** The first bytes received (for assertions), never the whole file. */
  head: Buffer;
}

interface RunRecord {
  id: string;
  threadId: string;
  status: "in_progress" | "completed" | "failed" | "cancelled";
  result: Promise<AgentOutput>;
  /** Aborted by cancelRun. */
  cancel: AbortController;
}

interface ScriptedThread {
  messages: AgentMessageInput[];
  deleted: boolean;
}

/** What the service behind the backend holds; every instance made with `restarted()` shares it. */
interface ScriptedService {
  threads: Map<string, ScriptedThread>;
  files: Map<string, StoredFile>;
  runs: RunRecord[];
  active: Map<string, RunRecord>;
  uploadBytesReceived: number;
  /** Runs are held here until the test releases them (see {@link ScriptedBackend.holdRuns}). */
  gate?: Promise<void>;
  openGate?: () => void;
}

/** A chart PNG, an answer text and a CSV file: what a data question typically gets. */
export function defaultScript(context: ScriptContext): AgentOutput {
  const question = context.messages.at(-1)?.text ?? "";
  const names = context.latestFiles.map((f) => f.name).join(", ");
  context.observer.onProgress({
    kind: "running_code",
    code: "df = pd.read_csv('/mnt/data/data.csv')\ndf.plot()",
  });
  const text = `Here is the chart for "${question}"${names ? ` using ${names}` : ""}. See summary.csv for the numbers.`;
  context.observer.onProgress({ kind: "text", text });
  const csv = "region,revenue\nEast,120\nWest,95\n";
  return {
    text,
    images: [
      {
        name: "chart.png",
        data: makePng(64, 48, context.messages.length),
        alt: "Bar chart of revenue by region",
      },
    ],
    files: [
      { name: "summary.csv", mimeType: "text/csv", size: csv.length, open: async () => Readable.from([csv]) },
    ],
    code: [{ language: "python", code: "df = pd.read_csv('/mnt/data/data.csv')\ndf.plot()", output: "" }],
    notices: [],
  };
}

export class ScriptedBackend implements AgentBackend {
  readonly name: string;
  script: Script;
  /** Faults to throw from the next calls, by method. */
  readonly faults: Partial<Record<"uploadFile" | "addMessage" | "run" | "ensureThread", DatabotError[]>> = {};
  private readonly service: ScriptedService;

  constructor(options: { script?: Script; name?: string } = {}, service?: ScriptedService) {
    this.script = options.script ?? defaultScript;
    this.name = options.name ?? "scripted";
    this.service = service ?? {
      threads: new Map(),
      files: new Map(),
      runs: [],
      active: new Map(),
      uploadBytesReceived: 0,
    };
  }

  /** Another instance on the same service, as databot has after a restart. */
  restarted(): ScriptedBackend {
    return new ScriptedBackend({ script: this.script, name: this.name }, this.service);
  }

  get threads(): Map<string, ScriptedThread> {
    return this.service.threads;
  }

  get files(): Map<string, StoredFile> {
    return this.service.files;
  }

  get runs(): RunRecord[] {
    return this.service.runs;
  }

  /** Upload bytes received so far, counted as they arrive. */
  get uploadBytesReceived(): number {
    return this.service.uploadBytesReceived;
  }

  /** Holds every run after it started until {@link releaseRuns}. */
  holdRuns(): void {
    this.service.gate = new Promise((resolve) => (this.service.openGate = resolve));
  }

  releaseRuns(): void {
    this.service.openGate?.();
    this.service.gate = undefined;
  }

  runsOn(threadId: string): RunRecord[] {
    return this.runs.filter((r) => r.threadId === threadId);
  }

  /** The service drops a thread (it expired, or was removed behind databot's back). */
  forgetThread(threadId: string): void {
    this.threads.delete(threadId);
  }

  async ready(): Promise<void> {}

  async ensureThread(existingId: string | undefined): Promise<EnsuredThread> {
    this.throwFault("ensureThread");
    if (existingId && this.threads.get(existingId)?.deleted === false) return { id: existingId };
    const id = `thread_${randomUUID().slice(0, 8)}`;
    this.threads.set(id, { messages: [], deleted: false });
    return existingId === undefined ? { id } : { id, replacedExpired: true };
  }

  async uploadFile(file: AgentFileInput): Promise<UploadedFile> {
    this.throwFault("uploadFile");
    let bytes = 0;
    const head: Buffer[] = [];
    let headBytes = 0;
    try {
      for await (const chunk of file.stream) {
        const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
        bytes += buffer.length;
        this.service.uploadBytesReceived += buffer.length;
        if (headBytes < 4096) {
          head.push(buffer.subarray(0, 4096 - headBytes));
          headBytes += Math.min(buffer.length, 4096 - headBytes);
        }
      }
    } catch (error) {
      if (error instanceof DatabotError) throw error;
      throw new DatabotError(ErrorCode.AttachmentUnavailable, `databot could not read ${file.name}.`, {
        retryable: true,
        cause: error,
      });
    }
    const stored: StoredFile = {
      id: `assistant-file-${randomUUID().slice(0, 8)}`,
      name: file.name,
      mimeType: file.mimeType,
      bytes,
      head: Buffer.concat(head),
    };
    this.files.set(stored.id, stored);
    return { id: stored.id, name: stored.name, mimeType: stored.mimeType };
  }

  async addMessage(threadId: string, message: AgentMessageInput): Promise<string> {
    this.throwFault("addMessage");
    const thread = this.requireThread(threadId);
    thread.messages.push(message);
    return `msg_${thread.messages.length}`;
  }

  async run(threadId: string, observer: RunObserver, signal?: AbortSignal): Promise<AgentOutput> {
    this.throwFault("run");
    const thread = this.requireThread(threadId);
    const active = this.service.active.get(threadId);
    if (active) {
      // One run per thread: a second start reattaches to the run already going.
      await observer.onRunStarted(active.id);
      return abortable(active.result, signal);
    }
    const id = `run_${randomUUID().slice(0, 8)}`;
    const latest = thread.messages.at(-1);
    const cancel = new AbortController();
    const record: RunRecord = {
      id,
      threadId,
      status: "in_progress",
      result: Promise.resolve() as never,
      cancel,
    };
    this.runs.push(record);
    this.service.active.set(threadId, record);
    const gate = this.service.gate;
    record.result = (async () => {
      try {
        await observer.onRunStarted(id);
        if (gate) await untilAborted(gate, cancel.signal);
        const output = await this.script({
          threadId,
          runId: id,
          messages: [...thread.messages],
          latestFiles: (latest?.files ?? []).map((f) => this.files.get(f.id)!).filter(Boolean),
          observer,
          signal: cancel.signal,
        });
        cancel.signal.throwIfAborted();
        record.status = "completed";
        return output;
      } catch (error) {
        if (!cancel.signal.aborted) {
          record.status = "failed";
          if (error instanceof DatabotError) throw error;
          throw new DatabotError(ErrorCode.RunFailed, "The analysis failed.", { cause: error });
        }
        record.status = "cancelled";
        throw new DatabotError(ErrorCode.RunCancelled, "The analysis was cancelled before it finished.", {
          retryable: true,
        });
      } finally {
        this.service.active.delete(threadId);
      }
    })();
    // Nobody may be following (the caller stopped waiting): the ending is still seen by a later resume.
    record.result.catch(() => undefined);
    return abortable(record.result, signal);
  }

  async resumeRun(
    threadId: string,
    runId: string,
    _observer: RunObserver,
    signal?: AbortSignal,
  ): Promise<AgentOutput> {
    this.requireThread(threadId);
    const record = this.runs.find((r) => r.id === runId && r.threadId === threadId);
    if (!record) throw new DatabotError(ErrorCode.RunFailed, "The earlier run could not be found.");
    return abortable(record.result, signal);
  }

  async cancelRun(threadId: string, runId: string): Promise<void> {
    const record = this.runs.find((r) => r.id === runId && r.threadId === threadId);
    if (!record || record.status !== "in_progress") return;
    record.cancel.abort();
    await record.result.catch(() => undefined);
  }

  async deleteThread(threadId: string): Promise<void> {
    const thread = this.threads.get(threadId);
    if (thread) thread.deleted = true;
  }

  async close(): Promise<void> {
    this.releaseRuns();
  }

  private requireThread(threadId: string): ScriptedThread {
    const thread = this.threads.get(threadId);
    if (!thread || thread.deleted) {
      throw new DatabotError(
        ErrorCode.RunExpired,
        "This conversation's analysis is gone; please ask again.",
        {
          detail: `No thread ${threadId}`,
        },
      );
    }
    return thread;
  }

  private throwFault(method: keyof ScriptedBackend["faults"]): void {
    const fault = this.faults[method]?.shift();
    if (fault) throw fault;
  }
}

/** Stops waiting when the signal aborts, without cancelling the run (as the port requires). */
function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () =>
      reject(new DatabotError(ErrorCode.Cancelled, "Stopped waiting for the answer.", { retryable: true }));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** Waits for `promise`, or rejects as soon as `signal` aborts. */
function untilAborted(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    void promise.then(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    });
  });
}
