/**
 * Choosing the Azure agents API: new agents (Responses) by default, classic on request. Settings that only make
 * sense for one of them are refused for the other with a sentence that says what to set instead, and
 * `npm run fake-foundry` prints the settings for both.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createFoundryClients } from "../src/adapters/agents/azure-responses/clients";
import { SqliteStore } from "../src/adapters/stores/sqlite/sqlite-store";
import { loadConfig } from "../src/config";
import { ConversationService } from "../src/core/conversation/service";
import { silentLogger } from "../src/core/logger";
import { backendFor } from "../src/app/backend-factory";
import { type FakeFoundry, startFakeFoundry } from "./fakes/foundry";
import { configProblems } from "./support/config-problems";
import { TEST_SETTINGS } from "./support/core-harness";
import { MemorySurface } from "./support/memory-surface";
import { csvAttachment, threadOf, userMessage } from "./support/messages";

const AZURE = {
  AZURE_AI_PROJECT_ENDPOINT: "https://res.services.ai.azure.com/api/projects/p",
  AZURE_AI_MODEL_DEPLOYMENT_NAME: "gpt-4o",
};

test("new agents are the default: agent databot, containers idle out after 20 minutes", () => {
  const { azure } = loadConfig(AZURE, "/srv/databot");
  expect(azure).toMatchObject({ agentApi: "responses", agentName: "databot", containerIdleMinutes: 20 });
  expect(azure?.agentVersion).toBeUndefined();
  expect(
    loadConfig({ ...AZURE, AZURE_AI_AGENT_NAME: "sales-analyst", AZURE_AI_AGENT_VERSION: "3" }, "/").azure,
  ).toMatchObject({ agentName: "sales-analyst", agentVersion: "3" });
});

test("a classic agent id with the Responses API is refused, saying what to set instead", () => {
  expect(configProblems({ ...AZURE, AZURE_AI_AGENT_ID: "asst_abc123" })).toEqual([
    "AZURE_AI_AGENT_ID names a classic agent (asst_…), which AZURE_AI_AGENT_API=responses does not run: set AZURE_AI_AGENT_NAME (and AZURE_AI_AGENT_VERSION to pin a version) to use a new agent, or set AZURE_AI_AGENT_API=classic to keep the classic agent",
  ]);
  const classic = loadConfig(
    { ...AZURE, AZURE_AI_AGENT_API: "classic", AZURE_AI_AGENT_ID: "asst_abc123" },
    "/",
  );
  expect(classic.azure).toMatchObject({ agentApi: "classic", agentId: "asst_abc123" });
});

test("settings of the other API, unknown APIs and bad agent names are named", () => {
  expect(
    configProblems({
      ...AZURE,
      AZURE_AI_AGENT_API: "classic",
      AZURE_AI_AGENT_VERSION: "2",
      AZURE_AI_CONTAINER_IDLE_MINUTES: "5",
    }),
  ).toEqual([
    "AZURE_AI_AGENT_VERSION applies to AZURE_AI_AGENT_API=responses, not classic",
    "AZURE_AI_CONTAINER_IDLE_MINUTES applies to AZURE_AI_AGENT_API=responses, not classic",
  ]);
  expect(configProblems({ ...AZURE, AZURE_AI_AGENT_API: "assistants" })).toEqual([
    expect.stringMatching(/^AZURE_AI_AGENT_API: .*"assistants"/),
  ]);
  expect(configProblems({ ...AZURE, AZURE_AI_AGENT_NAME: "-bad name" })).toEqual([
    expect.stringMatching(/^AZURE_AI_AGENT_NAME: letters, digits and hyphens/),
  ]);
  expect(configProblems({ ...AZURE, AZURE_AI_CONTAINER_IDLE_MINUTES: "0" })).toEqual([
    expect.stringMatching(/^AZURE_AI_CONTAINER_IDLE_MINUTES:/),
  ]);
});

describe("against the fake Foundry", () => {
  let fake: FakeFoundry;
  let dir: string;
  let store: SqliteStore;

  beforeEach(async () => {
    fake = await startFakeFoundry();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "databot-azure-api-"));
    store = new SqliteStore({ file: path.join(dir, "databot.sqlite") });
  });

  afterEach(async () => {
    await fake.close();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function answerOnce(env: Record<string, string>) {
    const config = loadConfig({ ...env, DATA_DIR: dir, LOG_LEVEL: "silent" }, dir);
    const backend = await backendFor(config)({ logger: silentLogger, spaces: store });
    const surface = new MemorySurface("cli");
    const service = new ConversationService({
      store,
      backend,
      surfaces: [surface],
      logger: silentLogger,
      settings: TEST_SETTINGS,
    });
    service.start();
    try {
      await service.receive(
        userMessage(threadOf("api"), "chart it", [csvAttachment("sales.csv", "a,b\n1,2\n3,4\n")]),
      );
      await surface.waitForReplies(1);
      return { backend: backend.name, reply: surface.replies[0]!.reply };
    } finally {
      await service.stop(200);
      await backend.close();
    }
  }

  test("the settings the fake prints run the Responses backend", async () => {
    const { backend, reply } = await answerOnce(fake.env());
    expect(backend).toBe("azure-responses");
    expect(reply.error).toBeUndefined();
    expect(reply.text).toContain("sales.csv has 2 rows");
    expect(reply.images).toHaveLength(1);
    expect(fake.responses()).toHaveLength(1);
    expect(fake.runs()).toHaveLength(0);
  });

  test("on classic agents too, a thread gone on the service is replaced and the thread is told its files are gone", async () => {
    const env = { ...fake.env("classic"), DATA_DIR: dir, LOG_LEVEL: "silent" };
    const backend = await backendFor(loadConfig(env, dir))({ logger: silentLogger, spaces: store });
    const surface = new MemorySurface("cli");
    const service = new ConversationService({
      store,
      backend,
      surfaces: [surface],
      logger: silentLogger,
      settings: TEST_SETTINGS,
    });
    service.start();
    try {
      const thread = threadOf("classic-expired");
      await service.receive(userMessage(thread, "load", [csvAttachment("sales.csv", "a,b\n1,2\n")]));
      await surface.waitForReplies(1);
      fake.state.deleteThread((await store.getThread(thread))!.agentThreadId);
      await service.receive(userMessage(thread, "chart it"));
      await surface.waitForReplies(2);
      expect(surface.replies[1]!.reply.notices).toEqual([
        {
          kind: "session_restarted",
          message:
            "The earlier analysis in this thread had expired, so a new one was started: files shared before are gone, so please share them again if you need them.",
        },
      ]);
      expect(surface.replies[1]!.reply.error).toBeUndefined();
    } finally {
      await service.stop(200);
      await backend.close();
    }
  });

  test("with AZURE_AI_AGENT_API=classic the classic backend still answers, on threads and runs", async () => {
    const { backend, reply } = await answerOnce(fake.env("classic"));
    expect(backend).toBe("azure");
    expect(reply.error).toBeUndefined();
    expect(reply.text).toContain("sales.csv has 2 rows");
    expect(reply.images).toHaveLength(1);
    expect(fake.runs()).toHaveLength(1);
    expect(fake.responses()).toHaveLength(0);
  });
});

test("npm run fake-foundry prints the settings for both APIs and serves", async () => {
  const child = spawn(process.execPath, [require.resolve("tsx/cli"), "test/fakes/foundry/main.ts"], {
    cwd: path.resolve(__dirname, ".."),
    env: { ...process.env, FAKE_FOUNDRY_PORT: "0" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    let out = "";
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.split("\n").length > 5) resolve();
      });
      child.on("exit", (code) => reject(new Error(`fake-foundry exited with ${code}`)));
    });
    const settings = Object.fromEntries(
      out
        .trim()
        .split("\n")
        .map((line) => line.split(/=(.*)/s).slice(0, 2)),
    );
    expect(Object.keys(settings)).toEqual([
      "AZURE_AI_PROJECT_ENDPOINT",
      "AZURE_AI_MODEL_DEPLOYMENT_NAME",
      "AZURE_AI_AGENT_API",
      "AZURE_AI_CA_FILE",
      "AZURE_AI_STATIC_TOKEN",
    ]);
    expect(settings.AZURE_AI_AGENT_API).toBe("responses");
    expect(settings.AZURE_AI_PROJECT_ENDPOINT).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/api\/projects\//);
    expect(fs.readFileSync(settings.AZURE_AI_CA_FILE!, "utf8")).toContain("BEGIN CERTIFICATE");
    // It serves: the new agents' API answers with the printed settings.
    const clients = createFoundryClients(loadConfig(settings, "/").azure!);
    try {
      expect((await clients.openai.conversations.create()).object).toBe("conversation");
    } finally {
      await clients.close();
    }
  } finally {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
  }
});
