/**
 * What a person sees when Azure AI Foundry misbehaves: throttling and outages are retried (honouring Retry-After)
 * and, past the budget, reported as retryable; every way a run can end badly becomes a clear, coded error.
 */
import { Readable } from "node:stream";
import { createAzureBackend, type AzureAgentBackend } from "../src/adapters/agents/azure-classic";
import { DatabotError, ErrorCode } from "../src/core/errors";
import { silentLogger } from "../src/core/logger";
import type { RunObserver } from "../src/core/ports/agent-backend";
import { barChartPng, type FakeFoundry, type FakeTurn, startFakeFoundry } from "./fakes/foundry";

const observer: RunObserver = { async onRunStarted() {}, onProgress() {} };
const simpleTurn: FakeTurn = { code: [{ input: "print(1 + 1)", logs: "2" }], text: "The answer is 2." };

let fake: FakeFoundry;
let backend: AzureAgentBackend;
let waits: number[];

function makeBackend(options: { runTimeoutMs?: number } = {}): AzureAgentBackend {
  return createAzureBackend(fake.azureConfig({ maxRetries: 3 }), silentLogger, {
    pollIntervalMs: 10,
    runTimeoutMs: options.runTimeoutMs,
    // Waits are recorded, not slept, so the story shows which delays databot chose.
    retry: { baseDelayMs: 5, sleep: async (ms) => void waits.push(ms) },
  });
}

beforeEach(async () => {
  waits = [];
  fake = await startFakeFoundry();
  backend = makeBackend();
});

afterEach(async () => {
  await backend.close();
  await fake.close();
});

/** Asks one question in a new thread and returns the answer, or the error databot would report. */
async function ask(
  question = "what is 1 + 1?",
): Promise<{ threadId: string; error?: DatabotError; text?: string }> {
  const thread = await backend.ensureThread(undefined).catch((e: DatabotError) => ({ id: "", error: e }));
  if ("error" in thread) return { threadId: "", error: thread.error };
  try {
    await backend.addMessage(thread.id, { text: question, files: [] });
    const output = await backend.run(thread.id, observer);
    return { threadId: thread.id, text: output.text };
  } catch (error) {
    if (!(error instanceof DatabotError)) throw error;
    return { threadId: thread.id, error };
  }
}

describe("throttling and outages", () => {
  test("a throttled run start waits as long as Retry-After asks, then answers with one run", async () => {
    fake.queueTurn(simpleTurn);
    fake.inject({ route: "POST /threads/*/runs", status: 429, retryAfterSeconds: 2, times: 2 });
    const { threadId, text } = await ask();
    expect(text).toBe("The answer is 2.");
    expect(waits).toEqual([2000, 2000]);
    expect(fake.requestsTo("POST /threads/*/runs").map((r) => r.status)).toEqual([429, 429, 200]);
    expect(fake.runs(threadId)).toHaveLength(1);
  });

  test("throttling that outlasts the retry budget is reported as busy and retryable", async () => {
    fake.inject({ route: "POST /threads", status: 429, retryAfterSeconds: 1, times: Infinity });
    const { error } = await ask();
    expect(error?.code).toBe(ErrorCode.BackendBusy);
    expect(error?.retryable).toBe(true);
    expect(error?.userMessage).toMatch(/busy.*retried/);
    expect(fake.requestsTo("POST /threads")).toHaveLength(4); // the first attempt and 3 retries
  });

  test("a Retry-After longer than databot waits is reported at once", async () => {
    fake.inject({ route: "POST /threads", status: 429, retryAfterSeconds: 600, times: Infinity });
    const { error } = await ask();
    expect(error?.code).toBe(ErrorCode.BackendBusy);
    expect(fake.requestsTo("POST /threads")).toHaveLength(1);
  });

  test("passing server errors and dropped connections are retried with backoff", async () => {
    fake.queueTurn(simpleTurn);
    fake.inject({ route: "GET /threads/*/messages", status: 500, times: 2 });
    fake.inject({ route: "GET /threads/*/runs/*/steps", reset: true, times: 1 });
    const { text } = await ask();
    expect(text).toBe("The answer is 2.");
    expect(waits).toHaveLength(3);
    expect(waits.every((ms) => ms > 0 && ms <= 40)).toBe(true);
  });

  test("an outage that outlasts the budget is reported as unavailable and retryable, and no run exists", async () => {
    fake.inject({ route: "POST /threads/*/runs", status: 500, times: Infinity });
    const { threadId, error } = await ask();
    expect(error?.code).toBe(ErrorCode.BackendUnavailable);
    expect(error?.retryable).toBe(true);
    expect(error?.userMessage).toMatch(/not answering.*retried/);
    expect(fake.runs(threadId)).toHaveLength(0);
    // databot's own attempts only (the SDK's default retry, which would multiply them, is replaced).
    expect(fake.requestsTo("POST /threads/*/runs")).toHaveLength(4);
  });

  test("an upload is not replayed: a failed one is reported as retryable", async () => {
    fake.inject({ route: "POST /files", status: 503, times: 1 });
    const error = await backend
      .uploadFile({ name: "a.csv", mimeType: "text/csv", stream: Readable.from(["x,y\n1,2\n"]) })
      .catch((e: unknown) => e as DatabotError);
    expect(error).toBeInstanceOf(DatabotError);
    expect((error as DatabotError).code).toBe(ErrorCode.BackendUnavailable);
    expect((error as DatabotError).retryable).toBe(true);
    expect(fake.requestsTo("POST /files")).toHaveLength(1);
  });

  test("a wrong token is reported as an access problem, not retried", async () => {
    await fake.close();
    fake = await startFakeFoundry({ token: "the-right-token" });
    backend = makeBackend();
    const wrong = createAzureBackend(fake.azureConfig({ staticToken: "a-wrong-token" }), silentLogger);
    const error = (await wrong.ensureThread(undefined).catch((e: unknown) => e)) as DatabotError;
    expect(error.code).toBe(ErrorCode.BackendUnavailable);
    expect(error.retryable).toBe(false);
    expect(error.userMessage).toMatch(/not allowed/);
    expect(fake.requestsTo("POST /threads").map((r) => r.status)).toEqual([401]);
  });
});

describe("runs that end badly", () => {
  test("a failed run tells the user why", async () => {
    fake.queueTurn({
      end: { status: "failed", code: "server_error", message: "The code interpreter session crashed." },
    });
    const { error } = await ask();
    expect(error?.code).toBe(ErrorCode.RunFailed);
    expect(error?.userMessage).toBe(
      "The analysis failed on Azure AI Foundry: The code interpreter session crashed.",
    );
    expect(error?.retryable).toBe(true);
  });

  test("a run that failed for lack of model capacity is reported as busy", async () => {
    fake.queueTurn({
      end: { status: "failed", code: "rate_limit_exceeded", message: "Rate limit is exceeded." },
    });
    const { error } = await ask();
    expect(error?.code).toBe(ErrorCode.BackendBusy);
    expect(error?.retryable).toBe(true);
  });

  test.each([
    ["expired", ErrorCode.RunExpired, /expired/],
    ["cancelled", ErrorCode.RunCancelled, /cancelled/],
    ["incomplete", ErrorCode.RunIncomplete, /stopped early \(max_completion_tokens\)/],
  ] as const)("a run that ends %s says so", async (status, code, message) => {
    fake.queueTurn({ code: [{ input: "df.describe()" }], end: { status } });
    const { error } = await ask();
    expect(error?.code).toBe(code);
    expect(error?.userMessage).toMatch(message);
  });

  test("a run that waits for a tool databot does not offer is cancelled with a clear message", async () => {
    fake.queueTurn({ end: { status: "requires_action" } });
    const { threadId, error } = await ask();
    expect(error?.code).toBe(ErrorCode.RunNeedsAction);
    expect(error?.userMessage).toMatch(/asked for a tool databot does not offer.*rephrase/);
    expect(fake.runs(threadId)[0]!.status).toBe("cancelled");
  });

  test("a run past the timeout is cancelled and the user told", async () => {
    backend = makeBackend({ runTimeoutMs: 300 });
    fake.queueTurn({ code: [{ input: "long_job()" }], hold: true });
    const { threadId, error } = await ask();
    expect(error?.code).toBe(ErrorCode.RunTimedOut);
    expect(error?.retryable).toBe(true);
    expect(error?.userMessage).toMatch(/took longer than 1 seconds, so databot stopped it/);
    expect(fake.runs(threadId)[0]!.status).toBe("cancelled");
    expect(fake.requestsTo("POST /threads/*/runs/*/cancel")).toHaveLength(1);
  });

  test("a chart whose content is gone is left out with a notice, and a gone file fails to open clearly", async () => {
    fake.queueTurn({
      images: [barChartPng([1, 2])],
      text: "Here you go.",
      files: [{ name: "out.csv", content: "a\n1\n" }],
    });
    fake.inject({ route: "GET /files/*/content", status: 404 });
    const thread = await backend.ensureThread(undefined);
    await backend.addMessage(thread.id, { text: "chart it", files: [] });
    const output = await backend.run(thread.id, observer);
    expect(output.images).toHaveLength(0);
    expect(output.notices).toEqual([
      { kind: "info", message: "Chart 1 could not be fetched from Azure AI Foundry." },
    ]);
    expect(output.files.map((f) => f.name)).toEqual(["out.csv"]);

    const fileId = [...fake.state.files.values()].find((f) => f.info.filename === "/mnt/data/out.csv")!.info
      .id;
    fake.state.files.delete(fileId);
    const error = await output.files[0]!.open().catch((e: DatabotError) => e);
    expect(error).toBeInstanceOf(DatabotError);
    expect((error as DatabotError).code).toBe(ErrorCode.AttachmentUnavailable);
    expect((error as DatabotError).userMessage).toBe(
      "The file out.csv is no longer available on Azure AI Foundry.",
    );
  });
});
