/**
 * The AgentBackend contract: what the core relies on from every place the analysis can run, written once and
 * run against each implementation (the `*.test.ts` files beside this one). A turn is: ensure the thread, upload
 * files, add the message, run (or resume after a restart), and sometimes cancel or delete; each story below is
 * one thing a turn needs to hold, told through the port and checked behind it at the service.
 */
import { Readable } from "node:stream";
import { DatabotError, ErrorCode } from "../../src/core/errors";
import type { AgentBackend, UploadedFile } from "../../src/core/ports";
import { eventually, pause, RecordingObserver, uploadText, watchedSource, within } from "./contract-helpers";
import type { BackendSubject, ContractAnswer, ContractCapability, ContractWorld } from "./contract-world";

const SALES = "region,revenue\nEast,120\nWest,95\n";
const COSTS = "region,cost\nEast,70\nWest,60\n";

/** What a rejection must be: a DatabotError with this code. */
const refusedWith = (code: string) => expect.objectContaining({ name: "DatabotError", code });

export function agentBackendContract(subject: BackendSubject): void {
  describe(`${subject.name}: the AgentBackend contract`, () => {
    let world: ContractWorld;
    let asked = 0;
    const backend = (): AgentBackend => world.backend;

    beforeAll(async () => {
      world = await subject.start();
    });
    afterEach(() => world.release());
    afterAll(() => world?.close());

    /**
     * A contract test, run for every implementation. Its `claim`s check what an implementation may lack: where
     * the subject declares the capability lacking (saying why), each claim must fail instead, so the test shows
     * the gap and fails once the declaration is no longer true; everything else in the test must still hold.
     */
    function contract(
      capability: ContractCapability,
      title: string,
      body: (claim: (assertion: () => unknown) => Promise<void>) => Promise<void>,
    ): void {
      const lacking = subject.lacks?.[capability];
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
    function question(answer: Partial<ContractAnswer> = {}) {
      const n = ++asked;
      const key = `[q${n}]`;
      const full: ContractAnswer = {
        text: `East sold ${120 + n} (${key}).`,
        code: `total = 120 + ${n}\nprint(total)`,
        output: String(120 + n),
        ...answer,
      };
      world.answer(key, full);
      return { key, text: `${key}: how much did East sell?`, answer: full };
    }

    async function threadAsking(q: { text: string }, files: UploadedFile[] = []): Promise<string> {
      const { id } = await backend().ensureThread(undefined);
      await backend().addMessage(id, { text: q.text, files, authorName: "Ada" });
      return id;
    }

    /**
     * Starts a held question's run and, once its analysis is under way, stops waiting for it, as a databot that
     * shuts down mid-run does.
     */
    async function startThenStopWaiting(threadId: string, key: string): Promise<string> {
      const shutdown = new AbortController();
      const observer = new RecordingObserver();
      const waiting = backend().run(threadId, observer, shutdown.signal);
      const runId = await observer.started;
      await eventually(async () => expect(world.analyses(key)).toBe(1));
      shutdown.abort();
      await expect(waiting).rejects.toEqual(refusedWith(ErrorCode.Cancelled));
      return runId;
    }

    describe("threads", () => {
      contract("new-thread", "ensureThread without an id makes a new thread each time", async () => {
        const first = await backend().ensureThread(undefined);
        const second = await backend().ensureThread(undefined);
        expect(first.id).toEqual(expect.any(String));
        expect(second.id).not.toBe(first.id);
        expect(first.replacedExpired).toBeUndefined();
      });

      contract(
        "existing-thread",
        "an existing thread is kept: by the next instance after a restart, and after a question",
        async () => {
          const { id } = await backend().ensureThread(undefined);
          await world.restart();
          expect(await backend().ensureThread(id)).toEqual({ id });
          const q = question();
          await backend().addMessage(id, { text: q.text, files: [] });
          await backend().run(id, new RecordingObserver());
          expect(await backend().ensureThread(id)).toEqual({ id });
        },
      );

      contract("lost-thread", "a thread the service lost is replaced, and the caller is told", async () => {
        const { id } = await backend().ensureThread(undefined);
        await world.loseThread(id);
        const replaced = await backend().ensureThread(id);
        expect(replaced.id).not.toBe(id);
        expect(replaced.replacedExpired).toBe(true);
        expect(replaced.filesRestored).toBeFalsy();
        const q = question();
        await backend().addMessage(replaced.id, { text: q.text, files: [] });
        expect((await backend().run(replaced.id, new RecordingObserver())).text).toBe(q.answer.text);
      });

      contract(
        "expiry",
        `after the session expires (${subject.expiry.means}), the next ensureThread says so once`,
        async () => {
          const q = question();
          const id = await threadAsking(q, [await uploadText(backend(), "sales.csv", SALES)]);
          await backend().run(id, new RecordingObserver());
          await world.expire(id);
          const ensured = await backend().ensureThread(id);
          if (subject.expiry.kind === "new-thread") {
            expect(ensured.id).not.toBe(id);
            expect(ensured.replacedExpired).toBe(true);
            expect(ensured.filesRestored).toBeFalsy();
            return;
          }
          expect(ensured).toEqual({ id, replacedExpired: true, filesRestored: true });
          const next = question();
          await backend().addMessage(id, { text: next.text, files: [] });
          const output = await backend().run(id, new RecordingObserver());
          expect(output.text).toBe(next.answer.text);
          expect(output.sessionRestarted).toBeUndefined(); // told already, by ensureThread
          expect(world.filesSeen(next.key)).toContainEqual({ name: "sales.csv", content: SALES });
          expect(await backend().ensureThread(id)).toEqual({ id });
        },
      );
    });

    describe("files", () => {
      contract(
        "streamed-upload",
        "an upload is streamed: bytes arrive before the source has sent them all",
        async () => {
          const chunkBytes = 128 * 1024;
          const chunks = 16;
          const before = await world.uploadBytesReceived();
          const source = await watchedSource(() => world.uploadBytesReceived(), { chunkBytes, chunks });
          const file = await backend().uploadFile({
            name: "big.csv",
            mimeType: "text/csv",
            stream: source.stream,
          });
          expect(file).toMatchObject({ id: expect.any(String), name: "big.csv", mimeType: "text/csv" });
          expect(source.receivedMidway()).toBeGreaterThan(0);
          expect(source.receivedMidway()).toBeLessThan(chunkBytes * chunks);
          expect((await world.uploadBytesReceived()) - before).toBe(chunkBytes * chunks);
        },
      );

      contract(
        "upload-in-message",
        "files uploaded and attached to a message are what the analysis reads",
        async () => {
          const files = [
            await uploadText(backend(), "sales.csv", SALES),
            await uploadText(backend(), "costs.csv", COSTS),
          ];
          const q = question();
          const id = await threadAsking(q, files);
          expect((await backend().run(id, new RecordingObserver())).text).toBe(q.answer.text);
          const seen = world.filesSeen(q.key);
          expect(seen).toContainEqual({ name: "sales.csv", content: SALES });
          expect(seen).toContainEqual({ name: "costs.csv", content: COSTS });
        },
      );

      contract(
        "upload-source-failure",
        "a download that fails midway refuses the file as attachment_unavailable; the stream's own refusal is passed on",
        async () => {
          const failing = (error: Error) => {
            let sent = 0;
            return new Readable({
              read() {
                if (sent++ < 2) this.push(Buffer.alloc(64 * 1024, "1,2\n"));
                else this.destroy(error);
              },
            });
          };
          const broken = backend().uploadFile({
            name: "broken.csv",
            mimeType: "text/csv",
            stream: failing(new Error("socket hang up")),
          });
          await expect(broken).rejects.toEqual(refusedWith(ErrorCode.AttachmentUnavailable));
          await expect(broken).rejects.toMatchObject({ userMessage: expect.stringContaining("broken.csv") });
          const tooBig = new DatabotError(
            ErrorCode.FileRefused,
            "huge.csv is larger than the 1 MB databot accepts.",
          );
          await expect(
            backend().uploadFile({ name: "huge.csv", mimeType: "text/csv", stream: failing(tooBig) }),
          ).rejects.toBe(tooBig);
        },
      );
    });

    describe("runs", () => {
      contract(
        "run-answers",
        "a run names itself first, reports the code it runs, and returns the answer",
        async () => {
          const q = question();
          const id = await threadAsking(q);
          const observer = new RecordingObserver();
          const output = await backend().run(id, observer);
          expect(observer.runIds).toHaveLength(1);
          expect(observer.log[0]).toBe("started");
          expect(await world.runs(id)).toEqual([{ id: observer.runIds[0], status: "completed" }]);
          expect(observer.progress).toContainEqual({ kind: "running_code", code: q.answer.code });
          expect(output.text).toBe(q.answer.text);
          expect(output.code).toContainEqual({
            language: "python",
            code: q.answer.code,
            output: q.answer.output,
          });
          expect(world.analyses(q.key)).toBe(1);
        },
      );

      contract("run-waits-for-start", "a run goes on only once onRunStarted has resolved", async () => {
        const q = question();
        const id = await threadAsking(q);
        let record!: () => void;
        const observer = new RecordingObserver(new Promise<void>((resolve) => (record = resolve)));
        let settled = false;
        const running = backend()
          .run(id, observer)
          .finally(() => (settled = true));
        await observer.started;
        await pause(300); // time enough for a backend that does not wait to report progress or finish
        expect(observer.log).toEqual(["started"]);
        expect(settled).toBe(false);
        record();
        expect((await running).text).toBe(q.answer.text);
        expect(observer.log.slice(0, 2)).toEqual(["started", "recorded"]);
      });

      contract("failed-run", "an analysis that fails ends with run_failed", async () => {
        const q = question({ fail: "there is no column named 'revenue'" });
        const id = await threadAsking(q);
        const observer = new RecordingObserver();
        await expect(backend().run(id, observer)).rejects.toEqual(refusedWith(ErrorCode.RunFailed));
        await eventually(async () =>
          expect(await world.runs(id)).toEqual([{ id: observer.runIds[0], status: "failed" }]),
        );
      });

      contract(
        "abort-stops-waiting",
        "an aborted signal stops the wait with `cancelled`, and the run goes on",
        async () => {
          const q = question({ hold: true });
          const id = await threadAsking(q);
          const runId = await startThenStopWaiting(id, q.key);
          await eventually(async () =>
            expect(await world.runs(id)).toEqual([{ id: runId, status: "active" }]),
          );
          world.release();
          await eventually(async () =>
            expect(await world.runs(id)).toEqual([{ id: runId, status: "completed" }]),
          );
          expect(world.analyses(q.key)).toBe(1);
        },
      );

      contract("resume", "resumeRun reattaches to the run by id and returns its answer", async () => {
        const q = question({ hold: true });
        const id = await threadAsking(q);
        const runId = await startThenStopWaiting(id, q.key);
        const resumed = backend().resumeRun(id, runId, new RecordingObserver());
        world.release();
        expect((await resumed).text).toBe(q.answer.text);
        expect(await world.runs(id)).toEqual([{ id: runId, status: "completed" }]);
        expect(world.analyses(q.key)).toBe(1);
      });

      contract(
        "resume-after-restart",
        "after a restart, the next instance resumes the same run: one run, answered",
        async (claim) => {
          const q = question({ hold: true });
          const id = await threadAsking(q);
          const runId = await startThenStopWaiting(id, q.key);
          const restarted = await world.restart();
          const resumed = restarted.resumeRun(id, runId, new RecordingObserver());
          world.release();
          const output = await resumed;
          expect(output.text).toBe(q.answer.text);
          expect(output.code).toContainEqual({
            language: "python",
            code: q.answer.code,
            output: q.answer.output,
          });
          expect(await world.runs(id)).toEqual([{ id: runId, status: "completed" }]);
          // The run was followed again, not carried out again.
          await claim(() => expect(world.analyses(q.key)).toBe(1));
        },
      );

      contract(
        "resume-ended",
        "resuming a run that already ended gives its answer again, without another run",
        async (claim) => {
          const q = question();
          const id = await threadAsking(q);
          const observer = new RecordingObserver();
          await backend().run(id, observer);
          const again = await backend().resumeRun(id, observer.runIds[0]!, new RecordingObserver());
          expect(again.text).toBe(q.answer.text);
          expect(await world.runs(id)).toEqual([{ id: observer.runIds[0], status: "completed" }]);
          await claim(() => expect(world.analyses(q.key)).toBe(1));
        },
      );

      contract("second-run-reattaches", "a second run while one is active reattaches to it", async () => {
        const q = question({ hold: true });
        const id = await threadAsking(q);
        const first = new RecordingObserver();
        const second = new RecordingObserver();
        const firstRun = backend().run(id, first);
        const runId = await first.started;
        const secondRun = backend().run(id, second);
        expect(await second.started).toBe(runId);
        world.release();
        const outputs = await Promise.all([firstRun, secondRun]);
        expect(outputs.map((o) => o.text)).toEqual([q.answer.text, q.answer.text]);
        expect(await world.runs(id)).toEqual([{ id: runId, status: "completed" }]);
        expect(world.analyses(q.key)).toBe(1);
      });
    });

    describe("cancelling and deleting", () => {
      contract(
        "cancel-active",
        "cancelRun stops an active run, which ends with run_cancelled; the thread takes the next question",
        async () => {
          const q = question({ hold: true });
          const id = await threadAsking(q);
          const observer = new RecordingObserver();
          const ending = backend()
            .run(id, observer)
            .catch((error: unknown) => error);
          const runId = await observer.started;
          await within(backend().cancelRun(id, runId), "cancelRun did not resolve");
          expect(await ending).toEqual(refusedWith(ErrorCode.RunCancelled));
          await eventually(async () =>
            expect(await world.runs(id)).toEqual([{ id: runId, status: "cancelled" }]),
          );
          await expect(backend().cancelRun(id, runId)).resolves.toBeUndefined();
          const next = question();
          await backend().addMessage(id, { text: next.text, files: [] });
          expect((await backend().run(id, new RecordingObserver())).text).toBe(next.answer.text);
        },
      );

      contract(
        "cancel-ended",
        "cancelRun on a run that already ended succeeds and changes nothing",
        async () => {
          const q = question();
          const id = await threadAsking(q);
          const observer = new RecordingObserver();
          await backend().run(id, observer);
          await expect(backend().cancelRun(id, observer.runIds[0]!)).resolves.toBeUndefined();
          expect(await world.runs(id)).toEqual([{ id: observer.runIds[0], status: "completed" }]);
        },
      );

      contract(
        "delete",
        "deleteThread removes the thread, succeeds when it is already gone, and the old id gets a new thread",
        async () => {
          const q = question();
          const id = await threadAsking(q);
          await backend().run(id, new RecordingObserver());
          await backend().deleteThread(id);
          await expect(backend().deleteThread(id)).resolves.toBeUndefined();
          await expect(backend().addMessage(id, { text: "and West?", files: [] })).rejects.toEqual(
            refusedWith(ErrorCode.RunExpired),
          );
          expect((await backend().ensureThread(id)).id).not.toBe(id);
        },
      );

      contract(
        "gone-thread-refused",
        "a message or run on a thread the service lost is refused with run_expired",
        async () => {
          const { id } = await backend().ensureThread(undefined);
          await world.loseThread(id);
          await expect(backend().addMessage(id, { text: "anyone there?", files: [] })).rejects.toEqual(
            refusedWith(ErrorCode.RunExpired),
          );
          const q = question();
          const asked = await threadAsking(q);
          await world.loseThread(asked);
          await expect(backend().run(asked, new RecordingObserver())).rejects.toEqual(
            refusedWith(ErrorCode.RunExpired),
          );
        },
      );
    });
  });
}
