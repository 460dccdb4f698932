/**
 * The fake Foundry's new-agents surface behaves like the service, checked with the real `openai` and
 * `@azure/ai-projects` clients: it refuses what the service refuses (a missing token, a wrong api-version on the
 * agents routes, unknown ids, an expired container, a second response on a busy conversation), pages lists for
 * real, and streams background responses with sequence numbers that can be replayed with `starting_after`.
 */
import { AIProjectClient } from "@azure/ai-projects";
import OpenAI, { BadRequestError, NotFoundError } from "openai";
import type { ResponseStreamEvent } from "openai/resources/responses/responses";
import { Agent } from "undici";
import { createFoundryClients, type FoundryClients } from "../src/adapters/agents/azure-responses/clients";
import { StaticTokenCredential } from "../src/adapters/agents/azure-classic/credential";
import { type FakeFoundry, startFakeFoundry } from "./fakes/foundry";

let fake: FakeFoundry;
let clients: FoundryClients;

beforeEach(async () => {
  fake = await startFakeFoundry();
  clients = createFoundryClients(fake.azureConfig({ maxRetries: 0 }));
  await clients.project.agents.createVersion("databot", {
    kind: "prompt",
    model: fake.modelDeploymentName,
    instructions: "Analyse data.",
    tools: [{ type: "code_interpreter", container: "{{container_id}}" }],
    structured_inputs: { container_id: { required: true } },
  });
});

afterEach(async () => {
  await clients.close();
  await fake.close();
});

const agentBody = { body: { agent_reference: { type: "agent_reference", name: "databot" } } };
/** The agent, with the response's container filling its `{{container_id}}` template. */
const inContainer = (id: string) => ({
  body: { ...agentBody.body, structured_inputs: { container_id: id } },
});

/** The fixture agent in a fresh container. */
async function agentInNewContainer(): Promise<ReturnType<typeof inContainer>> {
  const container = await clients.openai.containers.create({ name: "fixture" });
  return inContainer(container.id);
}

async function events(stream: AsyncIterable<ResponseStreamEvent>): Promise<ResponseStreamEvent[]> {
  const all: ResponseStreamEvent[] = [];
  for await (const event of stream) all.push(event);
  return all;
}

test("a wrong token is refused on both surfaces, and the agents routes insist on api-version=v1", async () => {
  const dispatcher = new Agent({ connect: { ca: fake.caPem } });
  try {
    const wrongOpenAI = new OpenAI({
      apiKey: "not-the-token",
      baseURL: `${fake.endpoint}/openai/v1`,
      maxRetries: 0,
      fetchOptions: { dispatcher },
    });
    await expect(wrongOpenAI.conversations.create()).rejects.toMatchObject({ status: 401 });
    const wrongProject = new AIProjectClient(fake.endpoint, new StaticTokenCredential("not-the-token"), {
      tlsOptions: { ca: fake.caPem },
      retryOptions: { maxRetries: 0 },
    });
    await expect(wrongProject.agents.get("databot")).rejects.toMatchObject({ statusCode: 401 });
    const wrongVersion = new AIProjectClient(fake.endpoint, new StaticTokenCredential(fake.token), {
      tlsOptions: { ca: fake.caPem },
      retryOptions: { maxRetries: 0 },
      apiVersion: "2025-05-01" as never,
    });
    await expect(wrongVersion.agents.get("databot")).rejects.toMatchObject({
      statusCode: 400,
      message: "Unsupported api-version '2025-05-01'. The supported api-versions are 'v1'.",
    });
  } finally {
    await dispatcher.close();
  }
  const agent = await clients.project.agents.get("databot");
  expect(agent.versions.latest).toMatchObject({ name: "databot", version: "1" });
  expect(agent.versions.latest.created_at).toBeInstanceOf(Date);
});

test("unknown ids answer 404 with the error envelope", async () => {
  const { openai, project } = clients;
  const missing = await openai.conversations.retrieve("conv_nope").catch((e: unknown) => e);
  expect(missing).toBeInstanceOf(NotFoundError);
  expect((missing as NotFoundError).error).toEqual({
    message: "Conversation with id 'conv_nope' not found.",
    type: "invalid_request_error",
    param: null,
    code: "not_found",
  });
  await expect(openai.containers.retrieve("cntr_nope")).rejects.toBeInstanceOf(NotFoundError);
  await expect(openai.responses.retrieve("resp_nope")).rejects.toBeInstanceOf(NotFoundError);
  await expect(project.agents.get("nobody")).rejects.toMatchObject({ statusCode: 404 });
});

test("conversation items are paged by cursor, newest first unless asked otherwise", async () => {
  const { openai } = clients;
  const conversation = await openai.conversations.create();
  for (let i = 0; i < 25; i += 5) {
    await openai.conversations.items.create(conversation.id, {
      items: Array.from({ length: 5 }, (_, j) => ({
        type: "message" as const,
        role: "user" as const,
        content: `m${i + j}`,
      })),
    });
  }
  const first = await openai.conversations.items.list(conversation.id, { limit: 10 });
  expect(first.data).toHaveLength(10);
  expect(first.has_more).toBe(true);
  expect((first.data[0] as { content: { text: string }[] }).content[0]!.text).toBe("m24");
  const texts: string[] = [];
  for await (const item of openai.conversations.items.list(conversation.id, { limit: 10, order: "asc" })) {
    texts.push((item as { content: { text: string }[] }).content[0]!.text);
  }
  expect(texts).toEqual(Array.from({ length: 25 }, (_, i) => `m${i}`));
  expect(
    fake.requestsTo("GET /openai/v1/conversations/*/items").filter((r) => r.query.order === "asc"),
  ).toHaveLength(3);
});

test("a background response streams numbered events that can be replayed after any of them", async () => {
  const { openai } = clients;
  const conversation = await openai.conversations.create({
    items: [{ type: "message", role: "user", content: "sum it" }],
  });
  fake.queueTurn({ code: [{ input: "print(1 + 1)", logs: "2" }], text: "It is 2." });
  const stream = await openai.responses.create(
    {
      conversation: conversation.id,
      stream: true,
      background: true,
      include: ["code_interpreter_call.outputs"],
    },
    await agentInNewContainer(),
  );
  const live = await events(stream);
  expect(live.map((e) => e.sequence_number)).toEqual(live.map((_, i) => i));
  expect(live[0]!.type).toBe("response.created");
  expect(live.at(-1)!.type).toBe("response.completed");
  expect(live.map((e) => e.type)).toEqual(
    expect.arrayContaining(["response.code_interpreter_call_code.delta", "response.output_text.delta"]),
  );
  const id = (live[0] as { response: { id: string } }).response.id;

  const replay = await events(await openai.responses.retrieve(id, { stream: true, starting_after: 5 }));
  expect(replay).toEqual(
    live
      .slice(6)
      .map((e) => JSON.parse(JSON.stringify(e).replace(/"outputs":\[[^\]]*\]/g, '"outputs":null'))),
  );
  const done = await openai.responses.retrieve(id, { include: ["code_interpreter_call.outputs"] });
  expect(done.status).toBe("completed");
  expect(done.output_text).toBe("It is 2.");
  expect(done.output.find((o) => o.type === "code_interpreter_call")).toMatchObject({
    outputs: [{ type: "logs", logs: "2" }],
  });
  // The answer joined the conversation after the response completed.
  const items = await openai.conversations.items.list(conversation.id, { order: "asc" });
  expect(items.data.map((i) => i.type)).toEqual(["message", "code_interpreter_call", "message"]);
});

test("a response naming an agent takes the agent's tools: an override is refused, and its container input is required", async () => {
  const { openai } = clients;
  const conversation = await openai.conversations.create({
    items: [{ type: "message", role: "user", content: "hi" }],
  });
  const container = await openai.containers.create({ name: "mine" });
  const override = await openai.responses
    .create(
      { conversation: conversation.id, tools: [{ type: "code_interpreter", container: container.id }] },
      agentBody,
    )
    .catch((e: unknown) => e);
  expect(override).toBeInstanceOf(BadRequestError);
  expect(override).toMatchObject({ param: "tools" });
  const missing = await openai.responses
    .create({ conversation: conversation.id }, agentBody)
    .catch((e: unknown) => e);
  expect(missing).toMatchObject({ status: 400, param: "structured_inputs.container_id" });
  const answered = await openai.responses.create(
    { conversation: conversation.id },
    inContainer(container.id),
  );
  expect(answered.tools).toEqual([{ type: "code_interpreter", container: container.id }]);
});

test("a second response on a busy conversation is refused with conversation_locked; a cancel frees it", async () => {
  const { openai } = clients;
  const conversation = await openai.conversations.create({
    items: [{ type: "message", role: "user", content: "wait" }],
  });
  fake.queueTurn({ text: "slow", hold: true });
  const agent = await agentInNewContainer();
  const first = await openai.responses.create({ conversation: conversation.id, background: true }, agent);
  expect(first.status).toBe("queued");
  const refused = await openai.responses
    .create({ conversation: conversation.id, background: true }, agent)
    .catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(BadRequestError);
  expect(refused).toMatchObject({ code: "conversation_locked", param: "conversation" });
  await expect(
    openai.conversations.items.create(conversation.id, {
      items: [{ type: "message", role: "user", content: "more" }],
    }),
  ).rejects.toMatchObject({ code: "conversation_locked" });

  await openai.responses.cancel(first.id);
  await fake.settle();
  expect((await openai.responses.retrieve(first.id)).status).toBe("cancelled");
  const next = await openai.responses.create({ conversation: conversation.id, background: true }, agent);
  expect(next.id).not.toBe(first.id);
});

test("a container expires after its idle minutes; a response naming it is refused with 400 Container is expired.", async () => {
  const { openai } = clients;
  const container = await openai.containers.create({
    name: "t",
    expires_after: { anchor: "last_active_at", minutes: 5 },
  });
  const file = await openai.files.create({ file: new File(["a\n1\n"], "a.csv"), purpose: "assistants" });
  const added = await openai.containers.files.create(container.id, { file_id: file.id });
  expect(added).toMatchObject({
    object: "container.file",
    path: "/mnt/data/a.csv",
    source: "user",
    bytes: 4,
  });
  const content = await openai.containers.files.content.retrieve(added.id, { container_id: container.id });
  expect(await content.text()).toBe("a\n1\n");

  fake.advanceClock(6 * 60 * 1000);
  expect((await openai.containers.retrieve(container.id)).status).toBe("expired");
  const conversation = await openai.conversations.create({
    items: [{ type: "message", role: "user", content: "hi" }],
  });
  const refused = await openai.responses
    .create({ conversation: conversation.id }, inContainer(container.id))
    .catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(BadRequestError);
  expect((refused as BadRequestError).message).toBe("400 Container is expired.");
  await expect(openai.containers.files.create(container.id, { file_id: file.id })).rejects.toMatchObject({
    status: 400,
  });
  // The uploaded file itself outlives the container.
  expect((await openai.files.retrieve(file.id)).id).toBe(file.id);
});

test("throttling answers 429 with retry-after, which the openai client honours", async () => {
  const patient = createFoundryClients(fake.azureConfig({ maxRetries: 2 }));
  try {
    fake.inject({ route: "POST /openai/v1/conversations", status: 429, retryAfterSeconds: 0, times: 2 });
    const conversation = await patient.openai.conversations.create();
    expect(conversation.object).toBe("conversation");
    expect(fake.requestsTo("POST /openai/v1/conversations").map((r) => r.status)).toEqual([429, 429, 200]);
  } finally {
    await patient.close();
  }
});
