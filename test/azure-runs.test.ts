/**
 * One question, one run: lost answers, retried starts and restarts never create a second run, and a run that
 * databot stopped following is picked up again with the same outputs.
 */
import { createAzureBackend, type AzureAgentBackend } from "../src/adapters/agents/azure-classic";
import { DatabotError, ErrorCode } from "../src/core/errors";
import { silentLogger } from "../src/core/logger";
import type { AgentOutput, RunObserver } from "../src/core/ports/agent-backend";
import { barChartPng, type FakeFoundry, type FakeTurn, startFakeFoundry } from "./fakes/foundry";

const chart = barChartPng([3, 1, 4, 1, 5]);
const turn: FakeTurn = {
  code: [{ input: "df.plot()", logs: "ok", images: [chart] }],
  text: "Pi-like digits. [digits.csv](sandbox:/mnt/data/digits.csv)",
  files: [{ name: "digits.csv", content: "d\n3\n1\n4\n" }],
};

let fake: FakeFoundry;
const backends: AzureAgentBackend[] = [];

function newBackend(): AzureAgentBackend {
  const backend = createAzureBackend(fake.azureConfig({ maxRetries: 3 }), silentLogger, {
    pollIntervalMs: 10,
    retry: { baseDelayMs: 1, sleep: async () => {} },
  });
  backends.push(backend);
  return backend;
}

function observing(onStart: (runId: string) => void = () => {}): RunObserver & { started: string[] } {
  const started: string[] = [];
  return {
    started,
    async onRunStarted(runId) {
      started.push(runId);
      onStart(runId);
    },
    onProgress() {},
  };
}

async function newQuestion(backend: AzureAgentBackend): Promise<string> {
  const thread = await backend.ensureThread(undefined);
  await backend.addMessage(thread.id, { text: "show the digits", files: [] });
  return thread.id;
}

function expectTheAnswer(output: AgentOutput): void {
  expect(output.text).toBe("Pi-like digits. digits.csv");
  expect(output.images.map((i) => i.data.equals(chart))).toEqual([true]);
  expect(output.files.map((f) => f.name)).toEqual(["digits.csv"]);
  expect(output.code).toEqual([{ language: "python", code: "df.plot()", output: "ok" }]);
}

beforeEach(async () => {
  fake = await startFakeFoundry();
});

afterEach(async () => {
  for (const backend of backends.splice(0)) await backend.close();
  await fake.close();
});

test("a run start whose answer was lost is found by its request token: one run, answered", async () => {
  const backend = newBackend();
  fake.queueTurn(turn);
  fake.inject({ route: "POST /threads/*/runs", loseResponse: true });
  const threadId = await newQuestion(backend);
  const observer = observing();
  expectTheAnswer(await backend.run(threadId, observer));
  expect(fake.runs(threadId)).toHaveLength(1);
  expect(observer.started).toEqual([fake.runs(threadId)[0]!.id]);
  expect(fake.requestsTo("POST /threads/*/runs").map((r) => r.status)).toEqual([500]);
});

test("a retried run start that meets the thread's active run reattaches to it instead of starting another", async () => {
  const backend = newBackend();
  fake.queueTurn({ ...turn, hold: true });
  fake.inject({ route: "POST /threads/*/runs", loseResponse: true });
  // The check for the lost attempt fails too, so databot can only try again, and meets the active run.
  fake.inject({ route: "GET /threads/*/runs", status: 500, times: 4 });
  const threadId = await newQuestion(backend);
  const observer = observing((runId) => fake.release(runId));
  expectTheAnswer(await backend.run(threadId, observer));

  expect(fake.runs(threadId)).toHaveLength(1);
  expect(observer.started).toEqual([fake.runs(threadId)[0]!.id]);
  expect(fake.requestsTo("POST /threads/*/runs").map((r) => r.status)).toEqual([500, 400]);
});

test("a message whose answer was lost is added once", async () => {
  const backend = newBackend();
  fake.inject({ route: "POST /threads/*/messages", loseResponse: true });
  const thread = await backend.ensureThread(undefined);
  const messageId = await backend.addMessage(thread.id, { text: "hello", files: [] });
  const messages = fake.state.messages.get(thread.id)!;
  expect(messages.map((m) => m.id)).toEqual([messageId]);
});

test("after a crash mid-run, a new instance resumes the same run and gets the same outputs", async () => {
  const first = newBackend();
  fake.queueTurn({ ...turn, hold: true });
  const threadId = await newQuestion(first);
  const shutdown = new AbortController();
  const observer = observing(() => setImmediate(() => shutdown.abort()));
  const stopped = await first.run(threadId, observer, shutdown.signal).catch((e: DatabotError) => e);
  expect(stopped).toBeInstanceOf(DatabotError);
  expect((stopped as DatabotError).code).toBe(ErrorCode.Cancelled);
  const [runId] = observer.started;
  expect(fake.runs(threadId)[0]).toMatchObject({ id: runId, status: "in_progress" });

  fake.release(runId);
  const second = newBackend();
  expectTheAnswer(await second.resumeRun(threadId, runId!, observing()));
  expect(fake.runs(threadId)).toHaveLength(1);
  expect(fake.requestsTo("POST /threads/*/runs/*/cancel")).toHaveLength(0);
});

test("a follow-up reuses the agent thread; a thread that is gone is replaced", async () => {
  const backend = newBackend();
  const first = await backend.ensureThread(undefined);
  expect(await backend.ensureThread(first.id)).toEqual({ id: first.id });
  await backend.deleteThread(first.id);
  await backend.deleteThread(first.id); // already gone: still fine
  const replaced = await backend.ensureThread(first.id);
  expect(replaced).toMatchObject({ replacedExpired: true });
  expect(replaced.id).not.toBe(first.id);
});

test("cancelling a run stops it; cancelling one that already ended succeeds", async () => {
  const backend = newBackend();
  fake.queueTurn({ ...turn, hold: true });
  const threadId = await newQuestion(backend);
  const shutdown = new AbortController();
  const observer = observing(() => setImmediate(() => shutdown.abort()));
  await backend.run(threadId, observer, shutdown.signal).catch(() => undefined);
  await backend.cancelRun(threadId, observer.started[0]!);
  expect(fake.runs(threadId)[0]!.status).toBe("cancelled");
  await expect(backend.cancelRun(threadId, observer.started[0]!)).resolves.toBeUndefined();
});

test("a run stream that drops mid-run is followed by polling to the same answer, with one run", async () => {
  const backend = newBackend();
  fake.queueTurn({ ...turn, breakStreamAfterEvents: 5 });
  const threadId = await newQuestion(backend);
  const observer = observing();
  expectTheAnswer(await backend.run(threadId, observer));
  expect(fake.runs(threadId)).toHaveLength(1);
  expect(fake.requestsTo("GET /threads/*/runs/*").length).toBeGreaterThan(0);
});

test("charts the code displayed but the answer did not repeat are returned too, each once", async () => {
  const backend = newBackend();
  const shown = barChartPng([1, 2, 3]);
  const onlyInCode = barChartPng([9, 8, 7]);
  fake.queueTurn({
    code: [
      { input: "a()", images: [shown] },
      { input: "b()", images: [onlyInCode], hideFromAnswer: true },
    ],
    text: "Two charts.",
  });
  const threadId = await newQuestion(backend);
  const output = await backend.run(threadId, observing());
  expect(output.images.map((i) => i.name)).toEqual(["chart-1.png", "chart-2.png"]);
  expect(output.images[0]!.data.equals(shown)).toBe(true);
  expect(output.images[1]!.data.equals(onlyInCode)).toBe(true);
});
