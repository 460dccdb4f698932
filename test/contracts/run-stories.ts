/** The contract's stories about runs: answering, waiting, resuming, reattaching, cancelling and deleting. */
import { ErrorCode } from "../../src/core/errors";
import { eventually, pause, RecordingObserver, within } from "./contract-helpers";
import { type ContractKit, refusedWith } from "./contract-kit";

export function runStories(kit: ContractKit): void {
  describe("runs", () => {
    kit.contract(
      "run-answers",
      "a run names itself first, reports the code it runs, and returns the answer",
      async () => {
        const q = kit.question();
        const id = await kit.threadAsking(q);
        const observer = new RecordingObserver();
        const output = await kit.backend.run(id, observer);
        expect(observer.runIds).toHaveLength(1);
        expect(observer.log[0]).toBe("started");
        expect(await kit.world.runs(id)).toEqual([{ id: observer.runIds[0], status: "completed" }]);
        expect(observer.progress).toContainEqual({ kind: "running_code", code: q.answer.code });
        expect(output.text).toBe(q.answer.text);
        expect(output.code).toContainEqual({
          language: "python",
          code: q.answer.code,
          output: q.answer.output,
        });
        expect(kit.world.analyses(q.key)).toBe(1);
      },
    );

    kit.contract("run-waits-for-start", "a run goes on only once onRunStarted has resolved", async () => {
      const q = kit.question();
      const id = await kit.threadAsking(q);
      let record!: () => void;
      const observer = new RecordingObserver(new Promise<void>((resolve) => (record = resolve)));
      let settled = false;
      const running = kit.backend.run(id, observer).finally(() => (settled = true));
      await observer.started;
      await pause(300); // time enough for a backend that does not wait to report progress or finish
      expect(observer.log).toEqual(["started"]);
      expect(settled).toBe(false);
      record();
      expect((await running).text).toBe(q.answer.text);
      expect(observer.log.slice(0, 2)).toEqual(["started", "recorded"]);
    });

    kit.contract("failed-run", "an analysis that fails ends with run_failed", async () => {
      const q = kit.question({ fail: "there is no column named 'revenue'" });
      const id = await kit.threadAsking(q);
      const observer = new RecordingObserver();
      await expect(kit.backend.run(id, observer)).rejects.toEqual(refusedWith(ErrorCode.RunFailed));
      await eventually(async () =>
        expect(await kit.world.runs(id)).toEqual([{ id: observer.runIds[0], status: "failed" }]),
      );
    });

    kit.contract(
      "abort-stops-waiting",
      "an aborted signal stops the wait with `cancelled`, and the run goes on",
      async () => {
        const q = kit.question({ hold: true });
        const id = await kit.threadAsking(q);
        const runId = await kit.startThenStopWaiting(id, q.key);
        await eventually(async () =>
          expect(await kit.world.runs(id)).toEqual([{ id: runId, status: "active" }]),
        );
        kit.world.release();
        await eventually(async () =>
          expect(await kit.world.runs(id)).toEqual([{ id: runId, status: "completed" }]),
        );
        expect(kit.world.analyses(q.key)).toBe(1);
      },
    );

    kit.contract("resume", "resumeRun reattaches to the run by id and returns its answer", async () => {
      const q = kit.question({ hold: true });
      const id = await kit.threadAsking(q);
      const runId = await kit.startThenStopWaiting(id, q.key);
      const resumed = kit.backend.resumeRun(id, runId, new RecordingObserver());
      kit.world.release();
      expect((await resumed).text).toBe(q.answer.text);
      expect(await kit.world.runs(id)).toEqual([{ id: runId, status: "completed" }]);
      expect(kit.world.analyses(q.key)).toBe(1);
    });

    kit.contract(
      "resume-after-restart",
      "after a restart, the next instance resumes the same run: one run, answered",
      async (claim) => {
        const q = kit.question({ hold: true });
        const id = await kit.threadAsking(q);
        const runId = await kit.startThenStopWaiting(id, q.key);
        const restarted = await kit.world.restart();
        const resumed = restarted.resumeRun(id, runId, new RecordingObserver());
        kit.world.release();
        const output = await resumed;
        expect(output.text).toBe(q.answer.text);
        expect(output.code).toContainEqual({
          language: "python",
          code: q.answer.code,
          output: q.answer.output,
        });
        expect(await kit.world.runs(id)).toEqual([{ id: runId, status: "completed" }]);
        // The run was followed again, not carried out again.
        await claim(() => expect(kit.world.analyses(q.key)).toBe(1));
      },
    );

    kit.contract(
      "resume-ended",
      "resuming a run that already ended gives its answer again, without another run",
      async (claim) => {
        const q = kit.question();
        const id = await kit.threadAsking(q);
        const observer = new RecordingObserver();
        await kit.backend.run(id, observer);
        const again = await kit.backend.resumeRun(id, observer.runIds[0]!, new RecordingObserver());
        expect(again.text).toBe(q.answer.text);
        expect(await kit.world.runs(id)).toEqual([{ id: observer.runIds[0], status: "completed" }]);
        await claim(() => expect(kit.world.analyses(q.key)).toBe(1));
      },
    );

    kit.contract("second-run-reattaches", "a second run while one is active reattaches to it", async () => {
      const q = kit.question({ hold: true });
      const id = await kit.threadAsking(q);
      const first = new RecordingObserver();
      const second = new RecordingObserver();
      const firstRun = kit.backend.run(id, first);
      const runId = await first.started;
      const secondRun = kit.backend.run(id, second);
      expect(await second.started).toBe(runId);
      kit.world.release();
      const outputs = await Promise.all([firstRun, secondRun]);
      expect(outputs.map((o) => o.text)).toEqual([q.answer.text, q.answer.text]);
      expect(await kit.world.runs(id)).toEqual([{ id: runId, status: "completed" }]);
      expect(kit.world.analyses(q.key)).toBe(1);
    });
  });

  describe("cancelling and deleting", () => {
    kit.contract(
      "cancel-active",
      "cancelRun stops an active run, which ends with run_cancelled; the thread takes the next question",
      async () => {
        const q = kit.question({ hold: true });
        const id = await kit.threadAsking(q);
        const observer = new RecordingObserver();
        const ending = kit.backend.run(id, observer).catch((error: unknown) => error);
        const runId = await observer.started;
        await within(kit.backend.cancelRun(id, runId), "cancelRun did not resolve");
        expect(await ending).toEqual(refusedWith(ErrorCode.RunCancelled));
        await eventually(async () =>
          expect(await kit.world.runs(id)).toEqual([{ id: runId, status: "cancelled" }]),
        );
        await expect(kit.backend.cancelRun(id, runId)).resolves.toBeUndefined();
        const next = kit.question();
        await kit.backend.addMessage(id, { text: next.text, files: [] });
        expect((await kit.backend.run(id, new RecordingObserver())).text).toBe(next.answer.text);
      },
    );

    kit.contract(
      "cancel-ended",
      "cancelRun on a run that already ended succeeds and changes nothing",
      async () => {
        const q = kit.question();
        const id = await kit.threadAsking(q);
        const observer = new RecordingObserver();
        await kit.backend.run(id, observer);
        await expect(kit.backend.cancelRun(id, observer.runIds[0]!)).resolves.toBeUndefined();
        expect(await kit.world.runs(id)).toEqual([{ id: observer.runIds[0], status: "completed" }]);
      },
    );

    kit.contract(
      "delete",
      "deleteThread removes the thread, succeeds when it is already gone, and the old id gets a new thread",
      async () => {
        const q = kit.question();
        const id = await kit.threadAsking(q);
        await kit.backend.run(id, new RecordingObserver());
        await kit.backend.deleteThread(id);
        await expect(kit.backend.deleteThread(id)).resolves.toBeUndefined();
        await expect(kit.backend.addMessage(id, { text: "and West?", files: [] })).rejects.toEqual(
          refusedWith(ErrorCode.RunExpired),
        );
        expect((await kit.backend.ensureThread(id)).id).not.toBe(id);
      },
    );

    kit.contract(
      "gone-thread-refused",
      "a message or run on a thread the service lost is refused with run_expired",
      async () => {
        const { id } = await kit.backend.ensureThread(undefined);
        await kit.world.loseThread(id);
        await expect(kit.backend.addMessage(id, { text: "anyone there?", files: [] })).rejects.toEqual(
          refusedWith(ErrorCode.RunExpired),
        );
        const q = kit.question();
        const asked = await kit.threadAsking(q);
        await kit.world.loseThread(asked);
        await expect(kit.backend.run(asked, new RecordingObserver())).rejects.toEqual(
          refusedWith(ErrorCode.RunExpired),
        );
      },
    );
  });
}
