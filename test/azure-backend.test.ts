/**
 * Stories of the Azure AI Foundry backend, driven through the real @azure/ai-agents SDK against the faithful fake
 * of the service (HTTPS with its own CA, a fixed token).
 */
import { Readable } from "node:stream";
import { createAzureBackend, type AzureAgentBackend } from "../src/adapters/agents/azure-classic";
import { silentLogger } from "../src/core/logger";
import type { AgentProgress, RunObserver } from "../src/core/ports/agent-backend";
import { barChartPng, type FakeFoundry, startFakeFoundry } from "./fakes/foundry";

const SALES_CSV =
  "month,region,revenue\n2026-01,North,120\n2026-01,South,80\n2026-02,North,150\n2026-02,South,95\n";

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function recorder(): RunObserver & { started: string[]; progress: AgentProgress[] } {
  const started: string[] = [];
  const progress: AgentProgress[] = [];
  return {
    started,
    progress,
    async onRunStarted(runId) {
      started.push(runId);
    },
    onProgress(p) {
      progress.push(p);
    },
  };
}

let fake: FakeFoundry;
let backend: AzureAgentBackend;

beforeEach(async () => {
  fake = await startFakeFoundry();
  backend = createAzureBackend(fake.azureConfig(), silentLogger, { pollIntervalMs: 10 });
});

afterEach(async () => {
  await backend.close();
  await fake.close();
});

test("a CSV shared with a question comes back as text, one chart and one generated file", async () => {
  const chart = barChartPng([120, 80, 150, 95]);
  const code =
    "import pandas as pd\ndf = pd.read_csv('/mnt/data/sales.csv')\ndf.groupby('region').revenue.sum().plot.bar()";
  fake.queueTurn({
    code: [{ input: code, logs: "region\nNorth 270\nSouth 175", images: [chart] }],
    text: "North sold 270 and South 175. [Download the totals](sandbox:/mnt/data/region_totals.csv)",
    files: [{ name: "region_totals.csv", content: "region,revenue\nNorth,270\nSouth,175\n" }],
  });

  const thread = await backend.ensureThread(undefined);
  const file = await backend.uploadFile({
    name: "sales.csv",
    mimeType: "text/csv",
    stream: Readable.from([SALES_CSV]),
  });
  await backend.addMessage(thread.id, { text: "chart revenue by region", files: [file], authorName: "Ada" });
  const observer = recorder();
  const output = await backend.run(thread.id, observer);

  expect(output.text).toBe("North sold 270 and South 175. Download the totals (region_totals.csv)");
  expect(output.images).toHaveLength(1);
  expect(output.images[0]!.data.equals(chart)).toBe(true);
  expect(output.files.map((f) => [f.name, f.mimeType])).toEqual([["region_totals.csv", "application/csv"]]);
  expect(await text(await output.files[0]!.open())).toBe("region,revenue\nNorth,270\nSouth,175\n");
  expect(output.code).toEqual([{ language: "python", code, output: "region\nNorth 270\nSouth 175" }]);

  const runs = fake.runs(thread.id);
  expect(runs).toHaveLength(1);
  expect(observer.started).toEqual([runs[0]!.id]);
  expect(observer.progress).toContainEqual({ kind: "running_code", code });
  expect(observer.progress.filter((p) => p.kind === "text").pop()).toEqual({
    kind: "text",
    text: output.text,
  });

  // What the service received: the file's exact bytes, attached to the message for the code interpreter.
  expect(fake.fileContent(file.id).toString("utf8")).toBe(SALES_CSV);
  const [message] = fake.state.messages.get(thread.id)!;
  expect(message!.attachments).toEqual([{ file_id: file.id, tools: [{ type: "code_interpreter" }] }]);
  expect(JSON.stringify(message!.content)).toContain("From Ada:\\nchart revenue by region");
});

test("a long analysis with many steps and messages is read to the end, not just the first page of 20", async () => {
  const calls = Array.from({ length: 25 }, (_, i) => ({ input: `step_${i + 1}()`, logs: `done ${i + 1}` }));
  const texts = Array.from({ length: 25 }, (_, i) => `Finding ${i + 1}.`);
  const paged = createAzureBackend(fake.azureConfig(), silentLogger, { pollIntervalMs: 10, pageSize: 10 });
  for (const reader of [backend, paged]) {
    fake.queueTurn({ code: calls, text: texts });
    const thread = await reader.ensureThread(undefined);
    await reader.addMessage(thread.id, { text: "go through everything", files: [] });
    const output = await reader.run(thread.id, recorder());
    expect(output.code.map((c) => c.code)).toEqual(calls.map((c) => c.input));
    expect(output.code.map((c) => c.output)).toEqual(calls.map((c) => c.logs));
    expect(output.text).toBe(texts.join("\n\n"));
  }
  // With 10 per page, the run's 50 steps and 25 messages took several pages, each asked for after the last id.
  const stepPages = fake.requestsTo("GET /threads/*/runs/*/steps").filter((r) => r.query.limit === "10");
  expect(stepPages.length).toBeGreaterThanOrEqual(5);
  expect(stepPages.slice(1).every((r) => r.query.after?.startsWith("step_"))).toBe(true);
});

test("databot's agent is found among many and brought up to date instead of created again", async () => {
  for (let i = 0; i < 30; i++) {
    const agent = {
      id: `asst_other${i}`,
      object: "assistant",
      created_at: 1_700_000_000 + i,
      name: `other-${i}`,
    };
    if (i === 0)
      Object.assign(agent, { name: "databot", model: "old-model", instructions: "old", tools: [] });
    fake.state.agents.set(agent.id, { tools: [], ...agent });
  }
  await backend.ready();
  expect(fake.state.agents.size).toBe(30);
  const databot = fake.state.agents.get("asst_other0")!;
  expect(databot).toMatchObject({ model: fake.modelDeploymentName, tools: [{ type: "code_interpreter" }] });
  expect(databot.instructions).toMatch(/save it as a PNG file/);

  const thread = await backend.ensureThread(undefined);
  await backend.addMessage(thread.id, { text: "hi", files: [] });
  await backend.run(thread.id, recorder());
  expect(fake.runs(thread.id)[0]!.assistant_id).toBe("asst_other0");
});

test("a configured agent id is used as it is", async () => {
  await backend.ready();
  const [existing] = [...fake.state.agents.keys()];
  const configured = createAzureBackend(fake.azureConfig({ agentId: existing }), silentLogger, {
    pollIntervalMs: 10,
  });
  const before = fake.requests.length;
  await configured.ready();
  expect(fake.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual([
    `GET /assistants/${existing}`,
  ]);
});
