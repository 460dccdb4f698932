/**
 * An in-memory AgentBackend that answers instantly (or when a test says so) with a scripted output: by default a
 * short text, one real PNG chart and one generated CSV. It behaves like the real service where the core relies
 * on it: uploads are consumed as streams, a thread rejects a second active run, runs can be resumed by id, and
 * state lives in the backend (shared by two service instances, as the cloud would be).
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
  signal?: AbortSignal;
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
  status: "in_progress" | "completed" | "failed";
  result: Promise<AgentOutput>;
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
  readonly threads = new Map<string, { messages: AgentMessageInput[]; deleted: boolean }>();
  readonly files = new Map<string, StoredFile>();
  readonly runs: RunRecord[] = [];
  /** Runs are held here until the test releases them (see {@link holdRuns}). */
  private gate?: Promise<void>;
  private openGate?: () => void;
  /** Faults to throw from the next calls, by method. */
  readonly faults: Partial<Record<"uploadFile" | "addMessage" | "run" | "ensureThread", DatabotError[]>> = {};
  private readonly active = new Map<string, RunRecord>();

  constructor(options: { script?: Script; name?: string } = {}) {
    this.script = options.script ?? defaultScript;
    this.name = options.name ?? "scripted";
  }

  /** Holds every run after it started until {@link releaseRuns}. */
  holdRuns(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  releaseRuns(): void {
    this.openGate?.();
    this.gate = undefined;
  }

  runsOn(threadId: string): RunRecord[] {
    return this.runs.filter((r) => r.threadId === threadId);
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
    for await (const chunk of file.stream) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
      bytes += buffer.length;
      if (headBytes < 4096) {
        head.push(buffer.subarray(0, 4096 - headBytes));
        headBytes += Math.min(buffer.length, 4096 - headBytes);
      }
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
    if (this.active.has(threadId)) {
      throw new DatabotError(ErrorCode.RunFailed, "The thread already has an active run.", {
        detail: `Thread ${threadId} already has an active run ${this.active.get(threadId)!.id}`,
      });
    }
    const id = `run_${randomUUID().slice(0, 8)}`;
    const latest = thread.messages.at(-1);
    const record: RunRecord = { id, threadId, status: "in_progress", result: Promise.resolve() as never };
    this.runs.push(record);
    this.active.set(threadId, record);
    const gate = this.gate;
    record.result = (async () => {
      try {
        await observer.onRunStarted(id);
        if (gate) await gate;
        const output = await this.script({
          threadId,
          runId: id,
          messages: [...thread.messages],
          latestFiles: (latest?.files ?? []).map((f) => this.files.get(f.id)!).filter(Boolean),
          observer,
          signal,
        });
        record.status = "completed";
        return output;
      } catch (error) {
        record.status = "failed";
        throw error;
      } finally {
        this.active.delete(threadId);
      }
    })();
    return abortable(record.result, signal);
  }

  async resumeRun(
    threadId: string,
    runId: string,
    _observer: RunObserver,
    signal?: AbortSignal,
  ): Promise<AgentOutput> {
    const record = this.runs.find((r) => r.id === runId && r.threadId === threadId);
    if (!record) throw new DatabotError(ErrorCode.RunFailed, "The earlier run could not be found.");
    return abortable(record.result, signal);
  }

  async cancelRun(): Promise<void> {}

  async deleteThread(threadId: string): Promise<void> {
    const thread = this.threads.get(threadId);
    if (thread) thread.deleted = true;
  }

  async close(): Promise<void> {
    this.releaseRuns();
  }

  private requireThread(threadId: string) {
    const thread = this.threads.get(threadId);
    if (!thread || thread.deleted) throw new DatabotError(ErrorCode.RunFailed, `No thread ${threadId}`);
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
    const onAbort = () => reject(signal.reason ?? new Error("aborted"));
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
