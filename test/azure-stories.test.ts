/**
 * The whole core on Azure AI Foundry: the conversation service, the SQLite inbox and the Azure backend driving the
 * real @azure/ai-agents SDK against the faithful fake of the Agent Service. What a team sees in a thread.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createAzureBackend, type AzureAgentBackend } from "../src/adapters/agents/azure-classic";
import { SqliteStore } from "../src/adapters/stores/sqlite/sqlite-store";
import { ConversationService } from "../src/core/conversation/service";
import { silentLogger } from "../src/core/logger";
import type { ChatSurface, Store } from "../src/core/ports";
import { barChartPng, startFakeFoundry, type FakeFoundry } from "./fakes/foundry";
import { freezable, TEST_SETTINGS } from "./support/core-harness";
import { MemorySurface } from "./support/memory-surface";
import { csvAttachment, threadOf, userMessage } from "./support/messages";

const SALES = "month,region,revenue\n2026-01,North,120\n2026-01,South,80\n2026-02,North,150\n";

let fake: FakeFoundry;
let dir: string;
let store: SqliteStore;
let surface: MemorySurface;
const backends: AzureAgentBackend[] = [];
const services: ConversationService[] = [];

function startService(options: { store?: Store; surface?: ChatSurface } = {}): ConversationService {
  const backend = createAzureBackend(fake.azureConfig(), silentLogger, {
    pollIntervalMs: 10,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  });
  backends.push(backend);
  const service = new ConversationService({
    store: options.store ?? store,
    backend,
    surfaces: [options.surface ?? surface],
    logger: silentLogger,
    settings: TEST_SETTINGS,
  });
  services.push(service);
  service.start();
  return service;
}

beforeEach(async () => {
  fake = await startFakeFoundry();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "databot-azure-"));
  store = new SqliteStore({ file: path.join(dir, "databot.sqlite") });
  surface = new MemorySurface("cli");
});

afterEach(async () => {
  fake.release();
  await Promise.all(services.splice(0).map((s) => s.stop(200)));
  await Promise.all(backends.splice(0).map((b) => b.close()));
  await store.close();
  await fake.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test("a CSV in a thread: agent thread created, file uploaded, reply with text, one chart and one generated file", async () => {
  const chart = barChartPng([120, 80, 150]);
  fake.queueTurn({
    code: [{ input: "df = pd.read_csv('/mnt/data/sales.csv')\ndf.plot.bar()", logs: "ok", images: [chart] }],
    text: "North leads. [Totals](sandbox:/mnt/data/totals.csv)",
    files: [{ name: "totals.csv", content: "region,revenue\nNorth,270\nSouth,80\n" }],
  });
  const service = startService();
  const thread = threadOf("sales");

  await service.receive(userMessage(thread, "chart revenue by region", [csvAttachment("sales.csv", SALES)]));
  await surface.waitForReplies(1);

  const { reply, fileContents } = surface.replies[0]!;
  expect(reply.error).toBeUndefined();
  expect(reply.text).toBe("North leads. Totals (totals.csv)");
  expect(reply.images).toHaveLength(1);
  expect(reply.images[0]!.data.equals(chart)).toBe(true);
  expect(fileContents["totals.csv"]).toBe("region,revenue\nNorth,270\nSouth,80\n");
  expect(reply.code[0]!.code).toContain("read_csv");
  const agentThread = (await store.getThread(thread))!.agentThreadId;
  expect(fake.runs(agentThread)).toHaveLength(1);
  expect(fake.requestsTo("POST /files")).toHaveLength(1);
});

test("a follow-up reuses the agent thread; another chat thread gets its own and never sees the first file", async () => {
  const service = startService();
  const a = threadOf("A");
  const b = threadOf("B");
  await service.receive(userMessage(a, "chart it", [csvAttachment("a-only.csv", SALES)]));
  await surface.waitForReplies(1);
  await service.receive(userMessage(a, "now per month"));
  await surface.waitForReplies(2);
  await service.receive(userMessage(b, "what do you have?"));
  await surface.waitForReplies(3);

  const agentA = (await store.getThread(a))!.agentThreadId;
  const agentB = (await store.getThread(b))!.agentThreadId;
  expect(agentA).not.toBe(agentB);
  expect(fake.runs(agentA)).toHaveLength(2);
  const attachmentsInB = (fake.state.messages.get(agentB) ?? []).flatMap(
    (m) => (m.attachments as unknown[] | undefined) ?? [],
  );
  expect(attachmentsInB).toEqual([]);
  expect(surface.replies.every((r) => r.reply.error === undefined)).toBe(true);
});

test("the same message delivered three times starts one run and gets one reply", async () => {
  const service = startService();
  const message = userMessage(threadOf("retried"), "sum revenue");
  await Promise.all([
    service.receive(message),
    service.receive({ ...message }),
    service.receive({ ...message }),
  ]);
  await surface.waitForReplies(1);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(fake.runs()).toHaveLength(1);
  expect(surface.replies).toHaveLength(1);
});

test("two questions 50 ms apart in one thread are both answered in order, one run at a time", async () => {
  fake.queueTurn({ text: "first answer", delayMs: 30 });
  fake.queueTurn({ text: "second answer" });
  const service = startService();
  const thread = threadOf("busy");
  await service.receive(userMessage(thread, "first"));
  await new Promise((resolve) => setTimeout(resolve, 50));
  await service.receive(userMessage(thread, "second"));
  await surface.waitForReplies(2);

  expect(surface.replies.map((r) => r.reply.text)).toEqual(["first answer", "second answer"]);
  // The fake refuses a second active run or a message during a run with 400: none happened.
  expect(fake.requests.filter((r) => r.status === 400)).toEqual([]);
  expect(fake.runs()).toHaveLength(2);
});

test("a crash mid-run is answered exactly once: the next instance reattaches to the same run", async () => {
  fake.queueTurn({ text: "done after the crash", hold: true });
  const deadStore = freezable(store);
  const deadSurface = freezable(new MemorySurface("cli"));
  const doomed = startService({ store: deadStore.proxy, surface: deadSurface.proxy });
  const thread = threadOf("crash");
  await doomed.receive(userMessage(thread, "long analysis", [csvAttachment("sales.csv", SALES)]));
  await waitUntil(async () => (await store.unfinishedInThread(thread))[0]?.checkpoint.runId !== undefined);

  deadStore.freeze();
  deadSurface.freeze();
  startService();
  fake.release();
  await surface.waitForReplies(1);
  await new Promise((resolve) => setTimeout(resolve, 300));

  expect(surface.replies).toHaveLength(1);
  expect(surface.replies[0]!.reply.text).toBe("done after the crash");
  expect(fake.runs()).toHaveLength(1);
  expect(fake.requestsTo("POST /files")).toHaveLength(1);
});

test("throttling that outlasts the retries gets a clear reply, and 'retry' in the thread answers it", async () => {
  // One attempt and three retries (the fake's config allows 3), all throttled.
  fake.inject({ route: "POST /threads/*/runs", status: 429, retryAfterSeconds: 0, times: 4 });
  const service = startService();
  const thread = threadOf("throttled");
  await service.receive(userMessage(thread, "chart revenue", [csvAttachment("sales.csv", SALES)]));
  await surface.waitForReplies(1);
  const busy = surface.replies[0]!.reply.error!;
  expect(busy.retryable).toBe(true);
  expect(busy.message).toMatch(/retry/);

  expect(fake.requestsTo("POST /threads/*/runs").map((r) => r.status)).toEqual([429, 429, 429, 429]);
  await service.receive(userMessage(thread, "retry"));
  await surface.waitForReplies(2);
  expect(surface.replies[1]!.reply.error).toBeUndefined();
  expect(surface.replies[1]!.reply.images.length).toBeGreaterThan(0);
  expect(fake.requestsTo("POST /files")).toHaveLength(1);
});

test("a failed run tells the thread why, and the next question is answered", async () => {
  fake.queueTurn({
    end: { status: "failed", code: "rate_limit_exceeded", message: "Token quota exhausted." },
  });
  fake.queueTurn({ text: "back to normal" });
  const service = startService();
  const thread = threadOf("failing");
  await service.receive(userMessage(thread, "first"));
  await surface.waitForReplies(1);
  await service.receive(userMessage(thread, "second"));
  await surface.waitForReplies(2);
  expect(surface.replies[0]!.reply.error!.message).toMatch(/ran out of model capacity/);
  expect(surface.replies[1]!.reply.text).toBe("back to normal");
});

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test("'stop' in a thread cancels the question being worked on; the thread is told both that it stopped and why", async () => {
  fake.queueTurn({ text: "This takes forever.", hold: true });
  const service = startService();
  const thread = threadOf("long");
  await service.receive(userMessage(thread, "model every customer's churn"));
  await waitUntil(async () => {
    const agentThread = (await store.getThread(thread))?.agentThreadId;
    return agentThread !== undefined && fake.runs(agentThread)[0]?.status === "in_progress";
  });

  await service.receive(userMessage(thread, "stop"));
  await surface.waitForReplies(2);

  const [stopped, said] = surface.replies;
  expect(stopped!.reply.error?.code).toBe("run_cancelled");
  expect(said!.reply.text).toBe("Stopped the question that was being worked on; its reply says so.");
  const agentThread = (await store.getThread(thread))!.agentThreadId;
  expect(fake.runs(agentThread)[0]!.status).toBe("cancelled");

  // Saying it again, with nothing running, says so.
  await service.receive(userMessage(thread, "stop"));
  await surface.waitForReplies(3);
  expect(surface.replies[2]!.reply.text).toBe("Nothing was being worked on in this thread.");
});

test("reset deletes the thread's analysis on Azure: its agent thread and every file shared or made in it", async () => {
  fake.queueTurn({
    code: [{ input: "df.plot()", logs: "", images: [barChartPng([1, 2])] }],
    text: "Done. [Totals](sandbox:/mnt/data/totals.csv)",
    files: [{ name: "totals.csv", content: "a,b\n1,2\n" }],
  });
  const service = startService();
  const thread = threadOf("to-forget");
  await service.receive(userMessage(thread, "chart it", [csvAttachment("sales.csv", SALES)]));
  await surface.waitForReplies(1);
  const agentThread = (await store.getThread(thread))!.agentThreadId;
  expect(fake.state.files.size).toBeGreaterThanOrEqual(3); // the CSV, the chart, totals.csv

  await service.receive(userMessage(thread, "reset"));
  await surface.waitForReplies(2);
  expect(fake.state.threads.has(agentThread)).toBe(false);
  expect(fake.state.files.size).toBe(0);
  expect(await store.getThread(thread)).toBeUndefined();
});
