/**
 * Every way a response can end, and every way the service can push back, as the person in the thread sees it:
 * a clear reply, and `retry` in the thread working afterwards. The Responses backend drives the real `openai`
 * client against the faithful fake through the whole core.
 */
import type { ConversationService } from "../src/core/conversation/service";
import type { FakeTurn } from "./fakes/foundry";
import { createResponsesWorld, type ResponsesWorld, waitUntil } from "./support/azure-responses-world";
import { threadOf, userMessage } from "./support/messages";

let world: ResponsesWorld;

beforeEach(async () => {
  world = await createResponsesWorld();
});

afterEach(() => world.close());

/** Asks in a new thread; returns the reply, the thread and the service (for a `retry`). */
async function ask(service: ConversationService, question: string, name = "t") {
  const thread = threadOf(name);
  const before = world.surface.replies.length;
  await service.receive(userMessage(thread, question));
  await world.surface.waitForReplies(before + 1);
  return { thread, reply: world.surface.replies[before]!.reply };
}

/** Says `retry` in the thread and returns the reply. */
async function retry(service: ConversationService, thread: string) {
  const before = world.surface.replies.length;
  await service.receive(userMessage(thread, "retry"));
  await world.surface.waitForReplies(before + 1);
  return world.surface.replies[before]!.reply;
}

const answered: FakeTurn = { code: [{ input: "print(2 + 2)", logs: "4" }], text: "It is 4." };

describe("endings", () => {
  test("a failed response says why, and retry answers the same question", async () => {
    const { fake } = world;
    fake.queueTurn({
      end: { status: "failed", code: "server_error", message: "The model stopped responding." },
    });
    fake.queueTurn(answered);
    const service = world.startService();
    const { thread, reply } = await ask(service, "what is 2 + 2?");
    expect(reply.error).toMatchObject({
      code: "run_failed",
      message:
        "The analysis failed on Azure AI Foundry: The model stopped responding. Say `retry` in this thread to try again.",
      retryable: true,
    });
    expect((await retry(service, thread)).text).toBe("It is 4.");
    // The retry answered the same message with a new response: no second user message.
    const state = await world.threadState(thread);
    const users = fake.responsesState
      .conversation(state.conversationId)
      .items.filter((i) => i.role === "user");
    expect(users).toHaveLength(1);
    expect(fake.responses(state.conversationId)).toHaveLength(2);
  });

  test("a response that ran out of model capacity is reported as busy and retryable", async () => {
    world.fake.queueTurn({
      end: { status: "failed", code: "rate_limit_exceeded", message: "Quota exhausted." },
    });
    const { reply } = await ask(world.startService(), "chart it");
    expect(reply.error).toMatchObject({ code: "backend_busy", retryable: true });
    expect(reply.error!.message).toMatch(/ran out of model capacity/);
  });

  test("an incomplete response names the reason (the output limit)", async () => {
    const { fake } = world;
    fake.queueTurn({
      text: "A long answer that is cut off here",
      end: { status: "incomplete", reason: "max_output_tokens" },
    });
    fake.queueTurn(answered);
    const service = world.startService();
    const { thread, reply } = await ask(service, "explain everything");
    expect(reply.error).toMatchObject({
      code: "run_incomplete",
      message:
        "The analysis stopped early (the answer reached the model's output limit); a narrower question should fit.",
      retryable: false,
    });
    expect((await retry(service, thread)).text).toBe("It is 4.");
  });

  test("a response cancelled on the service says so, and retry answers", async () => {
    const { fake } = world;
    fake.queueTurn({ ...answered, hold: true });
    fake.queueTurn(answered);
    const service = world.startService();
    const thread = threadOf("cancelled");
    await service.receive(userMessage(thread, "what is 2 + 2?"));
    await waitUntil(
      () =>
        fake.responses().length === 1 && fake.responseEngine.holds.isHolding(fake.responses()[0]!.body.id),
    );
    fake.responseEngine.cancel(fake.responses()[0]!);
    await world.surface.waitForReplies(1);
    expect(world.surface.replies[0]!.reply.error).toMatchObject({
      code: "run_cancelled",
      message: "The analysis was cancelled before it finished. Say `retry` in this thread to try again.",
    });
    expect((await retry(service, thread)).text).toBe("It is 4.");
  });

  test("an error event mid-stream becomes a failed analysis with the service's reason, and retry answers", async () => {
    const { fake } = world;
    fake.queueTurn({
      text: "Partial",
      end: { status: "error", code: "server_error", message: "Upstream model error." },
    });
    fake.queueTurn(answered);
    const service = world.startService();
    const { thread, reply } = await ask(service, "what is 2 + 2?");
    expect(reply.error).toMatchObject({
      code: "run_failed",
      message:
        "The analysis failed on Azure AI Foundry: Upstream model error. Say `retry` in this thread to try again.",
      retryable: true,
    });
    expect(fake.responses()[0]!.body.status).toBe("failed");
    expect((await retry(service, thread)).text).toBe("It is 4.");
  });

  test("past the run timeout the response is cancelled and the user told; retry answers", async () => {
    const { fake } = world;
    fake.queueTurn({ code: [{ input: "while True: pass" }], hold: true });
    fake.queueTurn(answered);
    const service = world.startService({ runTimeoutMs: 1000 });
    const { thread, reply } = await ask(service, "loop forever");
    expect(reply.error).toMatchObject({
      code: "run_timed_out",
      message:
        "The analysis took longer than 1 seconds, so databot stopped it. Say `retry` in this thread to try again.",
      retryable: true,
    });
    const [first] = fake.responses();
    expect(first!.body.status).toBe("cancelled");
    expect(fake.requestsTo("POST /openai/v1/responses/*/cancel").map((r) => r.path)).toEqual([
      `/openai/v1/responses/${first!.body.id}/cancel`,
    ]);
    expect((await retry(service, thread)).text).toBe("It is 4.");
  });
});

describe("a busy service", () => {
  test("throttling is waited out as Retry-After asks, then answered with one response", async () => {
    const { fake } = world;
    fake.queueTurn(answered);
    fake.inject({ route: "POST /openai/v1/responses", status: 429, retryAfterSeconds: 2, times: 2 });
    const { reply } = await ask(world.startService(), "what is 2 + 2?");
    expect(reply.text).toBe("It is 4.");
    expect(world.waits).toEqual([2000, 2000]);
    expect(fake.requestsTo("POST /openai/v1/responses").map((r) => r.status)).toEqual([429, 429, 200]);
    expect(fake.responses()).toHaveLength(1);
  });

  test("throttling that outlasts the retries gets a clear reply, and retry answers it", async () => {
    const { fake } = world;
    // One attempt and three retries (the world's budget is 3), all throttled.
    fake.inject({ route: "POST /openai/v1/responses", status: 429, retryAfterSeconds: 0, times: 4 });
    const service = world.startService();
    const { thread, reply } = await ask(service, "chart revenue");
    expect(reply.error).toMatchObject({ code: "backend_busy", retryable: true });
    expect(reply.error!.message).toMatch(/busy right now .* Say `retry`/);
    expect(fake.responses()).toHaveLength(0);
    const again = await retry(service, thread);
    expect(again.error).toBeUndefined();
    expect(again.images).toHaveLength(1);
  });

  test("a server error on starting is retried with backoff and answered once", async () => {
    const { fake } = world;
    fake.queueTurn(answered);
    fake.inject({ route: "POST /openai/v1/responses", status: 500, times: 2 });
    fake.inject({ route: "GET /openai/v1/conversations/*/items", status: 503, times: 1 });
    const { reply } = await ask(world.startService(), "what is 2 + 2?");
    expect(reply.text).toBe("It is 4.");
    expect(fake.requestsTo("POST /openai/v1/responses").map((r) => r.status)).toEqual([500, 500, 200]);
    expect(world.waits).toHaveLength(2);
    expect(fake.responses()).toHaveLength(1);
  });

  test("a lost answer to starting, then a busy conversation: databot waits for its own response — one response, one reply", async () => {
    const { fake, surface } = world;
    fake.queueTurn({
      code: [{ input: "df.describe()", logs: "count 3" }],
      text: "Three rows. [stats](sandbox:/mnt/data/stats.csv)",
      files: [{ name: "stats.csv", content: "count,3\n" }],
      hold: true,
    });
    // The service creates the response but the answer is lost (a gateway's 500).
    fake.inject({ route: "POST /openai/v1/responses", loseResponse: true });
    const service = world.startService();
    await service.receive(userMessage(threadOf("lost"), "describe it"));
    await waitUntil(() => fake.requestsTo("POST /openai/v1/responses").some((r) => r.status === 400));
    fake.release();
    await surface.waitForReplies(1);

    const { reply, fileContents } = surface.replies[0]!;
    expect(reply.error).toBeUndefined();
    expect(reply.text).toBe("Three rows. stats (stats.csv)");
    expect(fileContents).toEqual({ "stats.csv": "count,3\n" });
    expect(reply.code.map((c) => c.code)).toEqual(["df.describe()"]);
    // Retries met the busy conversation until the lost attempt answered. (Had one slipped in just as it ended,
    // databot would have cancelled that one at once and still used the lost attempt's answer.)
    const answering = fake.responses().filter((r) => r.body.status !== "cancelled");
    expect(answering).toHaveLength(1);
    expect(answering[0]!.body.status).toBe("completed");
    const statuses = fake.requestsTo("POST /openai/v1/responses").map((r) => r.status);
    expect(statuses[0]).toBe(500);
    expect(statuses).toContain(400);
    expect(surface.replies).toHaveLength(1);
  });
});
