/**
 * Tests and default runs never start Azure's credential chain (it probes the managed-identity address): a fixed
 * token is used when configured, and DefaultAzureCredential is created only when a token is first needed.
 */
import { Readable } from "node:stream";
import { createAzureBackend } from "../src/adapters/agents/azure-classic";
import { silentLogger } from "../src/core/logger";
import { type FakeFoundry, startFakeFoundry } from "./fakes/foundry";

const mockChain = { constructed: 0 };

jest.mock("@azure/identity", () => {
  const actual = jest.requireActual<typeof import("@azure/identity")>("@azure/identity");
  class CountingDefaultAzureCredential {
    constructor() {
      mockChain.constructed += 1;
    }
    async getToken() {
      return { token: "fake-foundry-token", expiresOnTimestamp: Date.now() + 3_600_000 };
    }
  }
  return { ...actual, DefaultAzureCredential: CountingDefaultAzureCredential };
});

let fake: FakeFoundry;

beforeEach(async () => {
  mockChain.constructed = 0;
  fake = await startFakeFoundry();
});

afterEach(() => fake.close());

test("with a fixed token a whole question is answered without the credential chain", async () => {
  const backend = createAzureBackend(fake.azureConfig(), silentLogger, { pollIntervalMs: 10 });
  const thread = await backend.ensureThread(undefined);
  const file = await backend.uploadFile({
    name: "a.csv",
    mimeType: "text/csv",
    stream: Readable.from(["a\n1\n"]),
  });
  await backend.addMessage(thread.id, { text: "sum a", files: [file] });
  const output = await backend.run(thread.id, { async onRunStarted() {}, onProgress() {} });
  expect(output.files.map((f) => f.name)).toEqual(["summary.csv"]);
  expect(mockChain.constructed).toBe(0);
  expect(fake.requests.every((r) => r.status !== 401)).toBe(true);
});

test("without a fixed token the default chain is created on the first request, once", async () => {
  const backend = createAzureBackend(fake.azureConfig({ staticToken: undefined }), silentLogger);
  expect(mockChain.constructed).toBe(0);
  await backend.ready();
  await backend.ensureThread(undefined);
  expect(mockChain.constructed).toBe(1);
});

test("a credential passed in is used instead of either", async () => {
  const scopes: string[] = [];
  const backend = createAzureBackend(fake.azureConfig({ staticToken: "ignored" }), silentLogger, {
    credential: {
      async getToken(requested) {
        scopes.push(...(Array.isArray(requested) ? requested : [requested]));
        return { token: "fake-foundry-token", expiresOnTimestamp: Date.now() + 3_600_000 };
      },
    },
  });
  await backend.ready();
  expect(scopes).toContain("https://ai.azure.com/.default");
  expect(mockChain.constructed).toBe(0);
});
