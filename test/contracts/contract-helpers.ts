/** Small tools the agent-backend contract uses: an observer that records what a run told it, and bounded waits. */
import { Readable } from "node:stream";
import type { AgentBackend, AgentProgress, RunObserver, UploadedFile } from "../../src/core/ports";

/** Records a run's calls in order; with `recorded`, `onRunStarted` resolves only once that promise does. */
export class RecordingObserver implements RunObserver {
  readonly runIds: string[] = [];
  readonly progress: AgentProgress[] = [];
  /** Every call in order: "started", "recorded" (when `onRunStarted` resolves), "progress <kind>". */
  readonly log: string[] = [];
  private readonly named: Promise<string>;
  private markStarted!: (runId: string) => void;

  constructor(private readonly recorded?: Promise<void>) {
    this.named = new Promise<string>((resolve) => (this.markStarted = resolve));
  }

  /** The run id, once `onRunStarted` was called. */
  get started(): Promise<string> {
    return within(this.named, "the backend never called onRunStarted");
  }

  async onRunStarted(runId: string): Promise<void> {
    this.runIds.push(runId);
    this.log.push("started");
    this.markStarted(runId);
    if (this.recorded) {
      await this.recorded;
      this.log.push("recorded");
    }
  }

  onProgress(progress: AgentProgress): void {
    this.progress.push(progress);
    this.log.push(`progress ${progress.kind}`);
  }
}

/** Rejects, saying `what` did not happen, when `promise` has not settled within `ms`. */
export function within<T>(promise: Promise<T>, what: string, ms = 15_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} (waited ${ms} ms)`)), ms);
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error: unknown) => (clearTimeout(timer), reject(error)),
    );
  });
}

/** Retries `assertion` until it passes (the backend records some things just after it answered). */
export async function eventually(assertion: () => Promise<void>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await pause(20);
    }
  }
}

export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function uploadText(
  backend: AgentBackend,
  name: string,
  content: string,
): Promise<UploadedFile> {
  const bytes = Buffer.from(content);
  return backend.uploadFile({
    name,
    mimeType: "text/csv",
    size: bytes.length,
    stream: Readable.from([bytes]),
  });
}

/**
 * A source that sends half its chunks, then waits until `received()` has grown (the backend passed bytes on
 * before the source ended, as only a streaming upload can), then sends the rest. `receivedMidway` says how much
 * had arrived at that point; the source fails when nothing arrives in time.
 */
export async function watchedSource(
  received: () => Promise<number>,
  options: { chunkBytes: number; chunks: number },
): Promise<{ stream: Readable; receivedMidway(): number }> {
  const baseline = await received();
  const chunk = Buffer.alloc(options.chunkBytes, "7,3\n");
  let sent = 0;
  let midway = -1;
  const waitForGrowth = async () => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const grown = (await received()) - baseline;
      if (grown > 0) return grown;
      if (Date.now() > deadline) throw new Error("nothing reached the backend while half the file was sent");
      await pause(5);
    }
  };
  const stream = new Readable({
    read() {
      if (sent === options.chunks / 2 && midway < 0) {
        void waitForGrowth().then(
          (bytes) => {
            midway = bytes;
            sent += 1;
            this.push(chunk);
          },
          (error: Error) => this.destroy(error),
        );
        return;
      }
      if (sent >= options.chunks) return void this.push(null);
      sent += 1;
      this.push(chunk);
    },
  });
  return { stream, receivedMidway: () => midway };
}
