/**
 * The whole core on Azure AI Foundry's new agents: the conversation service, the SQLite inbox and the Responses
 * backend driving the real `openai` and `@azure/ai-projects` clients against the faithful fake. What a team
 * sees in a thread — the same as with classic agents.
 */
import type { AgentBackend, ChatSurface, Store } from "../src/core/ports";
import { barChartPng } from "./fakes/foundry";
import { createResponsesWorld, type ResponsesWorld, waitUntil } from "./support/azure-responses-world";
import { freezable } from "./support/core-harness";
import { MemorySurface } from "./support/memory-surface";
import { csvAttachment, threadOf, userMessage } from "./support/messages";

const SALES = "month,region,revenue\n2026-01,North,120\n2026-01,South,80\n2026-02,North,150\n";

let world: ResponsesWorld;

beforeEach(async () => {
  world = await createResponsesWorld();
});

afterEach(() => world.close());

test("a CSV question gets a chart image and the generated file; the text names the file, no sandbox: link", async () => {
  const { fake, surface } = world;
  const chart = barChartPng([120, 80, 150]);
  fake.queueTurn({
    code: [
      { input: "df = pd.read_csv('/mnt/data/sales.csv')\ndf.plot.bar()", logs: "(3, 3)", images: [chart] },
    ],
    text: "North leads with 270. [Download the totals](sandbox:/mnt/data/totals.csv)",
    files: [{ name: "totals.csv", content: "region,revenue\nNorth,270\nSouth,80\n" }],
  });
  const service = world.startService();
  const thread = threadOf("sales");

  await service.receive(userMessage(thread, "chart revenue by region", [csvAttachment("sales.csv", SALES)]));
  await surface.waitForReplies(1);

  const { reply, fileContents } = surface.replies[0]!;
  expect(reply.error).toBeUndefined();
  expect(reply.text).toBe("North leads with 270. Download the totals (totals.csv)");
  expect(reply.text).not.toContain("sandbox:");
  // The chart the code displayed is the one it saved and the answer cites: it comes back once, byte for byte.
  expect(reply.images).toHaveLength(1);
  expect(reply.images[0]!.data.equals(chart)).toBe(true);
  expect(fileContents).toEqual({ "totals.csv": "region,revenue\nNorth,270\nSouth,80\n" });
  expect(reply.code).toEqual([
    { language: "python", code: "df = pd.read_csv('/mnt/data/sales.csv')\ndf.plot.bar()", output: "(3, 3)" },
  ]);
  expect(surface.progress.map((p) => p.progress.stage)).toEqual(
    expect.arrayContaining(["receiving_files", "thinking", "running_code", "answering", "posting"]),
  );

  // What the service saw: the exact bytes, in the thread's container; one background streamed response naming
  // databot's agent version and the thread's container, with the code outputs included.
  const state = await world.threadState(thread);
  expect(fake.fileContent(state.files[0]!.id).toString("utf8")).toBe(SALES);
  expect(fake.container(state.containerId).files.map((f) => f.info.path)).toContain("/mnt/data/sales.csv");
  const [response, ...others] = fake.responses(state.conversationId);
  expect(others).toEqual([]);
  expect(response!.request).toMatchObject({
    conversation: state.conversationId,
    stream: true,
    background: true,
    include: ["code_interpreter_call.outputs"],
    structured_inputs: { container_id: state.containerId },
    agent_reference: { type: "agent_reference", name: "databot", version: "1" },
  });
  expect(state.lastResponse?.id).toBe(response!.body.id);
});

test("a follow-up reuses the conversation and the container; another thread gets its own and never sees the first file", async () => {
  const { fake, surface } = world;
  const service = world.startService();
  const a = threadOf("A");
  const b = threadOf("B");
  await service.receive(userMessage(a, "chart it", [csvAttachment("a-only.csv", SALES)]));
  await surface.waitForReplies(1);
  const first = await world.threadState(a);
  await service.receive(userMessage(a, "now per month"));
  await surface.waitForReplies(2);
  await service.receive(userMessage(b, "what do you have?"));
  await surface.waitForReplies(3);

  expect(surface.replies.every((r) => r.reply.error === undefined)).toBe(true);
  const stateA = await world.threadState(a);
  const stateB = await world.threadState(b);
  expect(stateA.conversationId).toBe(first.conversationId);
  expect(stateA.containerId).toBe(first.containerId);
  expect(
    fake.responses(stateA.conversationId).map((r) => (r.body.tools as { container: string }[])[0]!.container),
  ).toEqual([stateA.containerId, stateA.containerId]);
  // The follow-up's answer still reads the file shared in the first message: the container kept it.
  expect(surface.replies[1]!.reply.text).toContain("a-only.csv has 3 rows");

  expect(stateB.conversationId).not.toBe(stateA.conversationId);
  expect(stateB.containerId).not.toBe(stateA.containerId);
  expect(stateB.files).toEqual([]);
  expect(fake.container(stateB.containerId).files.filter((f) => f.info.source === "user")).toEqual([]);
  expect(surface.replies[2]!.reply.text).toContain("a small sample");
  const itemsB = JSON.stringify(fake.responsesState.conversation(stateB.conversationId).items);
  expect(itemsB).not.toContain("a-only.csv");
});

test("the container expired between turns: the turn is answered, the files are restored and the user is told", async () => {
  const { fake, surface } = world;
  const service = world.startService();
  const thread = threadOf("idle");
  await service.receive(userMessage(thread, "load it", [csvAttachment("sales.csv", SALES)]));
  await surface.waitForReplies(1);
  const before = await world.threadState(thread);

  // Longer than the container's idle time passes; the service ends it and its files are gone.
  fake.advanceClock(21 * 60 * 1000);
  expect(fake.container(before.containerId).info.status).toBe("expired");

  await service.receive(userMessage(thread, "now chart it"));
  await surface.waitForReplies(2);
  const { reply } = surface.replies[1]!;
  expect(reply.error).toBeUndefined();
  expect(reply.notices).toEqual([
    {
      kind: "session_restarted",
      message:
        "The analysis session for this thread had expired, so a new one was started: your files were restored, but variables from earlier questions are gone.",
    },
  ]);
  // The answer read the restored file, which kept its file id, in the new container.
  expect(reply.text).toContain("sales.csv has 3 rows");
  const after = await world.threadState(thread);
  expect(after.containerId).not.toBe(before.containerId);
  expect(after.files.map((f) => f.id)).toEqual(before.files.map((f) => f.id));
  const userFiles = fake.container(after.containerId).files.filter((f) => f.info.source === "user");
  expect(userFiles.map((f) => [f.fileId, f.info.path])).toEqual([
    [before.files[0]!.id, "/mnt/data/sales.csv"],
  ]);
  // The model is told too, so it loads the data again instead of using variables that are gone.
  const items = fake.responsesState.conversation(after.conversationId).items;
  const lastUser = items.filter((i) => i.type === "message" && i.role === "user").pop()!;
  expect(JSON.stringify(lastUser.content)).toContain("The Python session was restarted");
  expect(fake.responses(after.conversationId)).toHaveLength(2);
});

test("the session expires while the question is being sent: the answer comes, and so does the notice", async () => {
  const { fake, surface } = world;
  const service = world.startService({
    // Between adding the message and starting the response, the container's idle time runs out.
    wrap: (backend) =>
      Object.assign(Object.create(backend) as AgentBackend, {
        addMessage: async (...args: Parameters<AgentBackend["addMessage"]>) => {
          const id = await backend.addMessage(...args);
          for (const container of fake.responsesState.containers.values())
            fake.expireContainer(container.info.id);
          return id;
        },
      }),
  });
  const thread = threadOf("racing");
  await service.receive(userMessage(thread, "chart it", [csvAttachment("sales.csv", SALES)]));
  await surface.waitForReplies(1);
  const { reply } = surface.replies[0]!;
  expect(reply.error).toBeUndefined();
  expect(reply.text).toContain("sales.csv has 3 rows");
  expect(reply.notices.map((n) => n.kind)).toEqual(["session_restarted"]);
  expect(reply.notices[0]!.message).toContain("your files were restored");
});

test("a crash mid-response is answered exactly once: the next instance reattaches to the same response by id", async () => {
  const { fake, store, surface } = world;
  fake.queueTurn({ code: [{ input: "slow()", logs: "ok" }], text: "done after the crash", hold: true });
  const deadStore = freezable<Store>(store);
  const deadSurface = freezable<ChatSurface>(new MemorySurface("cli"));
  const doomed = world.startService({ store: deadStore.proxy, surface: deadSurface.proxy });
  const thread = threadOf("crash");
  await doomed.receive(userMessage(thread, "long analysis", [csvAttachment("sales.csv", SALES)]));
  await waitUntil(async () => (await store.unfinishedInThread(thread))[0]?.checkpoint.runId !== undefined);
  const runId = (await store.unfinishedInThread(thread))[0]!.checkpoint.runId!;

  deadStore.freeze();
  deadSurface.freeze();
  world.startService();
  await waitUntil(() => fake.requestsTo("GET /openai/v1/responses/*").some((r) => r.query.stream === "true"));
  fake.release();
  await surface.waitForReplies(1);
  await new Promise((resolve) => setTimeout(resolve, 300));

  expect(surface.replies).toHaveLength(1);
  expect(surface.replies[0]!.reply.text).toBe("done after the crash");
  expect(fake.responses().map((r) => r.body.id)).toEqual([runId]);
  expect(fake.requestsTo("POST /openai/v1/responses")).toHaveLength(1);
  expect(fake.requestsTo("POST /openai/v1/files")).toHaveLength(1);
  expect(fake.requestsTo("GET /openai/v1/responses/*").map((r) => r.path)).toContain(
    `/openai/v1/responses/${runId}`,
  );
});

test("the stream drops mid-response: databot resumes after the last event it saw, and one reply has the whole answer", async () => {
  const { fake, surface } = world;
  const text =
    "Revenue grew in every month. North leads with 270, South follows with 80; the gap widened in February.";
  fake.queueTurn({
    code: [{ input: "df.groupby('region').revenue.sum()", logs: "North 270" }],
    text,
    breakStreamAfterEvents: 9,
  });
  const service = world.startService();
  await service.receive(userMessage(threadOf("flaky"), "who leads?"));
  await surface.waitForReplies(1);

  expect(surface.replies).toHaveLength(1);
  expect(surface.replies[0]!.reply.text).toBe(text);
  expect(surface.replies[0]!.reply.code[0]!.code).toBe("df.groupby('region').revenue.sum()");
  expect(fake.responses()).toHaveLength(1);
  // One reattachment, after the last event that reached databot before the connection dropped (the 9th at most).
  const resumed = fake.requestsTo("GET /openai/v1/responses/*").filter((r) => r.query.stream === "true");
  expect(resumed).toHaveLength(1);
  expect(Number(resumed[0]!.query.starting_after)).toBeGreaterThanOrEqual(5);
  expect(Number(resumed[0]!.query.starting_after)).toBeLessThanOrEqual(8);
  const answering = surface.progress.filter((p) => p.progress.stage === "answering").pop()!.progress;
  expect(answering).toEqual({ stage: "answering", text });
});

test("reset removes the thread's conversation, container and files, and the next question starts afresh", async () => {
  const { fake, surface } = world;
  const service = world.startService();
  const thread = threadOf("fresh");
  await service.receive(userMessage(thread, "look", [csvAttachment("sales.csv", SALES)]));
  await surface.waitForReplies(1);
  const old = await world.threadState(thread);
  await service.receive(userMessage(thread, "reset"));
  await surface.waitForReplies(2);

  expect(fake.responsesState.conversations.has(old.conversationId)).toBe(false);
  expect(fake.responsesState.containers.has(old.containerId)).toBe(false);
  expect(fake.state.files.has(old.files[0]!.id)).toBe(false);
  await service.receive(userMessage(thread, "what do you have?"));
  await surface.waitForReplies(3);
  const fresh = await world.threadState(thread);
  expect(fresh.conversationId).not.toBe(old.conversationId);
  expect(surface.replies[2]!.reply.notices).toEqual([]);
  expect(surface.replies[2]!.reply.text).toContain("a small sample");
});
