/**
 * What the contract's stories share: the world under test, declaring a test against a capability (so a declared
 * gap is shown, not skipped), and the steps many stories take.
 */
import { ErrorCode } from "../../src/core/errors";
import type { AgentBackend, UploadedFile } from "../../src/core/ports";
import { eventually, RecordingObserver } from "./contract-helpers";
import type { BackendSubject, ContractAnswer, ContractCapability, ContractWorld } from "./contract-world";

/** What a rejection must be: a DatabotError with this code. */
export const refusedWith = (code: string) => expect.objectContaining({ name: "DatabotError", code });

export type Claim = (assertion: () => unknown) => Promise<void>;

export class ContractKit {
  /** Set before the first test runs. */
  world!: ContractWorld;
  private asked = 0;

  constructor(readonly subject: BackendSubject) {}

  get backend(): AgentBackend {
    return this.world.backend;
  }

  /**
   * A contract test, run for every implementation. Its `claim`s check what an implementation may lack: where
   * the subject declares the capability lacking (saying why), each claim must fail instead, so the test shows
   * the gap and fails once the declaration is no longer true; everything else in the test must still hold.
   */
  contract(capability: ContractCapability, title: string, body: (claim: Claim) => Promise<void>): void {
    const lacking = this.subject.lacks?.[capability];
    test(lacking === undefined ? title : `${title} [lacking: ${lacking}]`, async () => {
      let claimed = false;
      await body(async (assertion) => {
        claimed = true;
        if (lacking === undefined) return void (await assertion());
        await expect((async () => assertion())()).rejects.toThrow();
      });
      if (lacking !== undefined && !claimed) {
        throw new Error(
          `"${capability}" is declared lacking, but its test makes no claim that could show it`,
        );
      }
    });
  }

  /** A new question (its key is unique) and the answer the world will give it. */
  question(answer: Partial<ContractAnswer> = {}) {
    const n = ++this.asked;
    const key = `[q${n}]`;
    const full: ContractAnswer = {
      text: `East sold ${120 + n} (${key}).`,
      code: `total = 120 + ${n}\nprint(total)`,
      output: String(120 + n),
      ...answer,
    };
    this.world.answer(key, full);
    return { key, text: `${key}: how much did East sell?`, answer: full };
  }

  /** A new thread with the question asked in it (and these files attached). */
  async threadAsking(q: { text: string }, files: UploadedFile[] = []): Promise<string> {
    const { id } = await this.backend.ensureThread(undefined);
    await this.backend.addMessage(id, { text: q.text, files, authorName: "Ada" });
    return id;
  }

  /**
   * Starts a held question's run and, once its analysis is under way, stops waiting for it, as a databot that
   * shuts down mid-run does. Returns the run id.
   */
  async startThenStopWaiting(threadId: string, key: string): Promise<string> {
    const shutdown = new AbortController();
    const observer = new RecordingObserver();
    const waiting = this.backend.run(threadId, observer, shutdown.signal);
    const runId = await observer.started;
    await eventually(async () => expect(this.world.analyses(key)).toBe(1));
    shutdown.abort();
    await expect(waiting).rejects.toEqual(refusedWith(ErrorCode.Cancelled));
    return runId;
  }
}
