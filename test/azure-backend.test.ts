/**
 * Stories of the Azure AI Foundry backend, driven through the real @azure/ai-agents SDK against the faithful fake
 * of the service (HTTPS with its own CA, a fixed token).
 */
import { Readable } from "node:stream";
import { createAzureBackend, type AzureAgentBackend } from "../src/adapters/azure-agents";
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
