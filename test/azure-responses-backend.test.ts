/**
 * The Responses backend on its own, through the port: databot's agent version (created, reused, renewed, pinned),
 * files streamed into the upload and copied into the thread's container, the message the model reads, progress
 * from the stream, and outputs (cited files, charts in any of the three image formats, each once).
 */
import { createFoundryClients } from "../src/adapters/agents/azure-responses/clients";
import { Readable } from "node:stream";
import v8 from "node:v8";
import vm from "node:vm";
import sharp from "sharp";
import { DatabotError } from "../src/core/errors";
import type { AgentProgress, RunObserver } from "../src/core/ports/agent-backend";
import { AGENT_INSTRUCTIONS } from "../src/adapters/agents/azure-responses/agent-version";
import { barChartPng } from "./fakes/foundry";
import { createResponsesWorld, type ResponsesWorld } from "./support/azure-responses-world";

let world: ResponsesWorld;

beforeEach(async () => {
  world = await createResponsesWorld();
});

afterEach(() => world.close());

function recorder(): RunObserver & { started: string[]; progress: AgentProgress[] } {
  const started: string[] = [];
  const progress: AgentProgress[] = [];
  return {
    started,
    progress,
    async onRunStarted(id) {
      started.push(id);
    },
    onProgress: (p) => void progress.push(p),
  };
}

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

describe("databot's agent version", () => {
  test("the first start creates version 1 with databot's definition; the next start reuses it", async () => {
    const { fake } = world;
    await world.backend().ready();
    const agent = fake.responsesState.agent("databot");
    expect(agent.versions).toHaveLength(1);
    expect(agent.versions[0]!.definition).toEqual({
      kind: "prompt",
      model: fake.modelDeploymentName,
      instructions: AGENT_INSTRUCTIONS,
      tools: [{ type: "code_interpreter", container: "{{container_id}}" }],
      structured_inputs: {
        container_id: { description: "The chat thread's code-interpreter container.", required: true },
      },
    });
    // Every agents route carried api-version=v1; the fake refuses any other.
    expect(fake.requestsTo("* /agents/*").every((r) => r.query["api-version"] === "v1")).toBe(true);

    const before = fake.requests.length;
    await world.backend().ready();
    expect(fake.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual(["GET /agents/databot"]);
    expect(agent.versions).toHaveLength(1);
  });

  test("a changed model makes a new version, and responses name it", async () => {
    const { fake } = world;
    await world.backend().ready();
    const moved = world.backend({ config: { modelDeploymentName: "gpt-4.1" } });
    const thread = await moved.ensureThread(undefined);
    await moved.addMessage(thread.id, { text: "hi", files: [] });
    await moved.run(thread.id, recorder());
    const versions = fake.responsesState.agent("databot").versions;
    expect(versions.map((v) => [v.version, v.definition.model])).toEqual([
      ["1", fake.modelDeploymentName],
      ["2", "gpt-4.1"],
    ]);
    expect(fake.responses()[0]!.request.agent_reference).toEqual({
      type: "agent_reference",
      name: "databot",
      version: "2",
    });
  });

  test("a pinned version is used as it is; a pinned version that does not exist is named", async () => {
    const { fake } = world;
    await world.backend({ config: { agentName: "team-analyst" } }).ready();
    await world.backend({ config: { agentName: "team-analyst", modelDeploymentName: "other" } }).ready();
    const before = fake.requests.length;
    const pinned = world.backend({ config: { agentName: "team-analyst", agentVersion: "1" } });
    await pinned.ready();
    expect(fake.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /agents/team-analyst/versions/1",
    ]);
    const thread = await pinned.ensureThread(undefined);
    await pinned.addMessage(thread.id, { text: "hi", files: [] });
    await pinned.run(thread.id, recorder());
    expect(fake.responses()[0]!.request.agent_reference).toMatchObject({
      name: "team-analyst",
      version: "1",
    });

    const missing = await world
      .backend({ config: { agentName: "team-analyst", agentVersion: "9" } })
      .ready()
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(DatabotError);
    expect((missing as DatabotError).userMessage).toContain("AZURE_AI_AGENT_VERSION");
  });

  test("a pinned version whose code interpreter does not take the thread's container is refused, naming why", async () => {
    const { fake } = world;
    const clients = createFoundryClients(fake.azureConfig());
    await clients.project.agents.createVersion("hand-made", {
      kind: "prompt",
      model: fake.modelDeploymentName,
      instructions: "Analyse.",
      tools: [{ type: "code_interpreter", container: { type: "auto" } }],
    });
    const refused = await world
      .backend({ config: { agentName: "hand-made", agentVersion: "1" } })
      .ready()
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DatabotError);
    expect((refused as DatabotError).userMessage).toContain("AZURE_AI_AGENT_VERSION");
    expect((refused as DatabotError).message).toContain('container "{{container_id}}"');
    await clients.close();
  });
});

describe("files and messages", () => {
  test("an upload is streamed: the service receives bytes before the source has produced them all", async () => {
    const { fake } = world;
    const backend = world.backend();
    const chunk = Buffer.alloc(256 * 1024, "a,b\n");
    const total = 16;
    let sent = 0;
    let receivedBeforeEnd = 0;
    const source = new Readable({
      read() {
        if (sent === total / 2) {
          // Half is out: wait until the service has some of it, which only a streaming client allows.
          const check = () => {
            if (fake.state.uploadBytesReceived > 0) {
              receivedBeforeEnd = fake.state.uploadBytesReceived;
              sent += 1;
              this.push(chunk);
            } else setTimeout(check, 5);
          };
          return check();
        }
        if (sent >= total) return this.push(null);
        sent += 1;
        this.push(chunk);
      },
    });
    const file = await backend.uploadFile({ name: "big.csv", mimeType: "text/csv", stream: source });
    expect(receivedBeforeEnd).toBeGreaterThan(0);
    expect(receivedBeforeEnd).toBeLessThan(chunk.length * total);
    expect(fake.fileContent(file.id).length).toBe(chunk.length * total);
    expect(fake.state.files.get(file.id)!.info).toMatchObject({ filename: "big.csv", purpose: "assistants" });
  });

  test("a large upload keeps memory bounded: what was sent is not held (fetch would keep a copy to redirect)", async () => {
    const { fake } = world;
    fake.state.keepUploadContent = false; // the fake counts the bytes, so only databot's memory is measured
    const gc = exposeGc();
    // V8 frees the memory of collected buffers on a background thread, so a reading taken at once after a
    // collection can still count them: collect, let the sweeper finish, collect again.
    const live = async () => {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 50));
      gc();
      const { heapUsed, arrayBuffers } = process.memoryUsage();
      return heapUsed + arrayBuffers;
    };
    const MB = 1024 * 1024;
    const total = 160;
    let sent = 0;
    const baseline = await live();
    let growthAtThreeQuarters: number | undefined;
    let measuring = false;
    const source = new Readable({
      read() {
        if (sent === (total * 3) / 4 && !measuring) {
          measuring = true;
          // The upload waits while memory is read, as it would for a slow download.
          void live().then((used) => {
            growthAtThreeQuarters = used - baseline;
            sent += 1;
            this.push(Buffer.alloc(MB, sent));
          });
          return;
        }
        if (sent >= total) return this.push(null);
        sent += 1;
        this.push(Buffer.alloc(MB, sent)); // fresh bytes each time, as a download would bring
      },
    });
    const file = await world
      .backend()
      .uploadFile({ name: "large.csv", mimeType: "text/csv", stream: source });
    expect(fake.state.files.get(file.id)!.info.bytes).toBe(total * MB);
    // Holding what was sent would be 120 MB by now; streaming holds a few buffers. (Node 20's fetch keeps such a
    // copy unless redirects are refused; Node 26's does not, and the story holds on both.)
    expect(growthAtThreeQuarters).toBeDefined();
    expect(growthAtThreeQuarters!).toBeLessThan(48 * MB);
  });

  test("shared files go into the thread's container, and the message tells the model who asks and where they are", async () => {
    const { fake } = world;
    const backend = world.backend();
    const thread = await backend.ensureThread(undefined);
    const file = await backend.uploadFile({
      name: "sales.csv",
      mimeType: "text/csv",
      stream: Readable.from(["a\n1\n"]),
    });
    await backend.addMessage(thread.id, { text: "sum a", files: [file], authorName: "Ada" });
    const state = (await world.store.space("azure-responses:thread").get<never>(thread.id)) as unknown as {
      containerId: string;
    };
    expect(fake.container(state.containerId).files.map((f) => [f.fileId, f.info.path])).toEqual([
      [file.id, "/mnt/data/sales.csv"],
    ]);
    const [message] = fake.responsesState.conversation(thread.id).items;
    expect(message).toMatchObject({
      type: "message",
      role: "user",
      content: [
        {
          type: "input_text",
          text: "From Ada:\nsum a\n\nFiles shared with this message:\n- sales.csv → /mnt/data/sales.csv",
        },
      ],
    });
  });

  test("a lost answer to adding the message is checked before trying again: the message is added once", async () => {
    const { fake } = world;
    const backend = world.backend();
    const thread = await backend.ensureThread(undefined);
    fake.inject({ route: "POST /openai/v1/conversations/*/items", loseResponse: true });
    const id = await backend.addMessage(thread.id, { text: "once", files: [] });
    const items = fake.responsesState.conversation(thread.id).items;
    expect(items.map((i) => i.id)).toEqual([id]);
  });
});

describe("a container that expires during a turn", () => {
  test("when a new file is shared: a new container gets every file, and the run reports the restart", async () => {
    const { fake } = world;
    const backend = world.backend();
    const thread = await backend.ensureThread(undefined);
    const first = await backend.uploadFile({
      name: "a.csv",
      mimeType: "text/csv",
      stream: Readable.from(["a\n1\n"]),
    });
    await backend.addMessage(thread.id, { text: "load a", files: [first] });
    await backend.run(thread.id, recorder());
    const before = fake.responses()[0]!.containerId!;

    fake.expireContainer(before);
    const second = await backend.uploadFile({
      name: "b.csv",
      mimeType: "text/csv",
      stream: Readable.from(["b\n2\n"]),
    });
    await backend.addMessage(thread.id, { text: "now b", files: [second] });
    const output = await backend.run(thread.id, recorder());

    expect(output.sessionRestarted).toEqual({ filesRestored: true });
    const after = fake.responses()[1]!.containerId!;
    expect(after).not.toBe(before);
    const userFiles = fake.container(after).files.filter((f) => f.info.source === "user");
    expect(userFiles.map((f) => f.fileId)).toEqual([first.id, second.id]);
    const lastUser = fake.responsesState
      .conversation(thread.id)
      .items.filter((i) => i.role === "user")
      .pop()!;
    expect(JSON.stringify(lastUser.content)).toContain("The Python session was restarted");
    // Reported once: the next run has nothing to report.
    await backend.addMessage(thread.id, { text: "again", files: [] });
    expect((await backend.run(thread.id, recorder())).sessionRestarted).toBeUndefined();
  });

  test("after the message was added: the response is refused, the container replaced and the response started", async () => {
    const { fake } = world;
    const backend = world.backend();
    const thread = await backend.ensureThread(undefined);
    const file = await backend.uploadFile({
      name: "a.csv",
      mimeType: "text/csv",
      stream: Readable.from(["a\n1\n"]),
    });
    await backend.addMessage(thread.id, { text: "load a", files: [file] });
    const created = fake.responsesState.conversation(thread.id);
    expect(created.items).toHaveLength(1);
    const [expired] = [...fake.responsesState.containers.keys()];
    fake.expireContainer(expired!);

    const output = await backend.run(thread.id, recorder());
    expect(output.sessionRestarted).toEqual({ filesRestored: true });
    expect(output.text).toContain("a.csv has 1 rows");
    const refused = fake.requestsTo("POST /openai/v1/responses").map((r) => r.status);
    expect(refused).toEqual([400, 200]);
    expect(fake.responses()).toHaveLength(1);
    expect(fake.responses()[0]!.containerId).not.toBe(expired);
  });
});

describe("outputs", () => {
  test("progress shows the code as it grows and the answer so far; outputs carry text, files and code", async () => {
    const { fake } = world;
    const code =
      "import pandas as pd\ndf = pd.read_csv('/mnt/data/sales.csv')\nprint(df.revenue.sum())  # the total revenue";
    fake.queueTurn({
      code: [{ input: code, logs: "350" }],
      text: "Revenue totals 350. See [the table](sandbox:/mnt/data/by_region.csv) and sandbox:/mnt/data/by_region.csv.",
      files: [{ name: "by_region.csv", content: "region,revenue\nNorth,270\n" }],
    });
    const backend = world.backend();
    const thread = await backend.ensureThread(undefined);
    await backend.addMessage(thread.id, { text: "total?", files: [] });
    const observer = recorder();
    const output = await backend.run(thread.id, observer);

    expect(output.text).toBe("Revenue totals 350. See the table (by_region.csv) and by_region.csv.");
    expect(output.files.map((f) => [f.name, f.mimeType])).toEqual([["by_region.csv", "application/csv"]]);
    expect(await text(await output.files[0]!.open())).toBe("region,revenue\nNorth,270\n");
    expect(output.code).toEqual([{ language: "python", code, output: "350" }]);
    expect(observer.started).toEqual([fake.responses()[0]!.body.id]);
    const shownCode = observer.progress
      .filter((p) => p.kind === "running_code")
      .map((p) => (p as { code: string }).code);
    expect(shownCode.length).toBeGreaterThan(1);
    expect(shownCode.at(-1)).toBe(code);
    expect(code.startsWith(shownCode[0]!)).toBe(true);
    expect(observer.progress.filter((p) => p.kind === "text").pop()).toEqual({
      kind: "text",
      text: output.text,
    });
  });

  test("cited JPEG and GIF charts become PNG images; a chart the code only displayed counts too, once", async () => {
    const { fake } = world;
    const displayed = barChartPng([1, 2, 3]);
    const jpeg = await sharp(barChartPng([5, 1]))
      .jpeg()
      .toBuffer();
    const gif = await sharp(barChartPng([2, 2]))
      .gif()
      .toBuffer();
    fake.queueTurn({
      code: [
        { input: "plot_a()", images: [displayed], hideFromAnswer: true },
        { input: "plot_a()  # shown again", images: [displayed], hideFromAnswer: true },
      ],
      text: "Two views: ![mix](sandbox:/mnt/data/product_mix.jpg) and [trend](sandbox:/mnt/data/weekly_trend.gif).",
      files: [
        { name: "product_mix.jpg", content: jpeg },
        { name: "weekly_trend.gif", content: gif },
      ],
    });
    const backend = world.backend();
    const thread = await backend.ensureThread(undefined);
    await backend.addMessage(thread.id, { text: "charts", files: [] });
    const output = await backend.run(thread.id, recorder());

    expect(output.images.map((i) => [i.name, i.alt])).toEqual([
      ["product_mix.png", "Chart: product mix"],
      ["weekly_trend.png", "Chart: weekly trend"],
      ["chart-3.png", "Chart 3 from the analysis"],
    ]);
    for (const image of output.images) expect(image.data.subarray(1, 4).toString("latin1")).toBe("PNG");
    expect(output.images[2]!.data.equals(displayed)).toBe(true);
    expect(output.files).toEqual([]);
    expect(output.text).toBe("Two views: and trend (weekly_trend.png).");
  });

  test("a cited file that is gone by the time it is fetched becomes a notice, and the rest of the answer stands", async () => {
    const { fake } = world;
    fake.queueTurn({
      text: "Here. [out](sandbox:/mnt/data/out.csv)",
      files: [{ name: "out.csv", content: "x\n" }],
    });
    fake.inject({ route: "GET /openai/v1/containers/*/files/*/content", status: 404 });
    const backend = world.backend();
    const thread = await backend.ensureThread(undefined);
    await backend.addMessage(thread.id, { text: "go", files: [] });
    const output = await backend.run(thread.id, recorder());
    expect(output.text).toBe("Here. out (out.csv)");
    expect(output.files).toEqual([]);
    expect(output.notices).toEqual([
      {
        kind: "info",
        file: "out.csv",
        message: "The file out.csv could not be fetched from Azure AI Foundry.",
      },
    ]);
  });
});

/** The garbage collector, so a story can measure what is really held. */
function exposeGc(): () => void {
  v8.setFlagsFromString("--expose-gc");
  return vm.runInNewContext("gc") as () => void;
}
