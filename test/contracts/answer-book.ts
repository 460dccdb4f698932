/**
 * The scripted answers a contract world plays, whatever the implementation: which answer a question gets, holding
 * a run until the test releases it (or the run is cancelled), how often each question's analysis was carried
 * out, and which files it could read.
 */
import type { ContractAnswer, SeenFile } from "./contract-world";

const UNKNOWN: ContractAnswer = {
  text: "That question is not part of the contract.",
  code: "print('unknown question')",
  output: "unknown question",
};

export class AnswerBook {
  private readonly answers = new Map<string, ContractAnswer>();
  private readonly released = new Set<string>();
  private readonly seen = new Map<string, SeenFile[]>();
  private readonly played = new Map<string, number>();
  private waiting = new Set<() => void>();

  set(key: string, answer: ContractAnswer): void {
    this.answers.set(key, answer);
    this.released.delete(key);
  }

  /** The answer an analysis of `question` plays (the one whose key the question contains); counted. */
  play(question: string): { key: string; answer: ContractAnswer; hold: boolean } {
    for (const [key, answer] of this.answers) {
      if (question.includes(key)) {
        this.played.set(key, (this.played.get(key) ?? 0) + 1);
        return { key, answer, hold: answer.hold === true && !this.released.has(key) };
      }
    }
    return { key: "", answer: UNKNOWN, hold: false };
  }

  /**
   * Resolves once `key` is released (at once when it was released after its run began); rejects when `signal`
   * aborts first (the run was cancelled).
   */
  waitForRelease(key: string, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.released.has(key)) return resolve();
      const done = () => {
        this.waiting.delete(done);
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = () => {
        this.waiting.delete(done);
        reject(signal?.reason ?? new Error("cancelled"));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.add(done);
    });
  }

  release(): void {
    for (const key of this.answers.keys()) this.released.add(key);
    const waiting = [...this.waiting];
    this.waiting = new Set();
    for (const resume of waiting) resume();
  }

  recordFiles(key: string, files: SeenFile[]): void {
    this.seen.set(key, files);
  }

  /** How many times an analysis of `key` was carried out. */
  playCount(key: string): number {
    return this.played.get(key) ?? 0;
  }

  filesSeen(key: string): SeenFile[] | undefined {
    return this.seen.get(key);
  }
}
