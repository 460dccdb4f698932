/**
 * The HTTP server every surface shares: health and readiness for the platform that runs databot.
 */
import { createAzureBackend } from "../src/adapters/agents/azure-classic";
import { silentLogger } from "../src/core/logger";
import { startFakeFoundry, type FakeFoundry } from "./fakes/foundry";
import { startTestDatabot, type TestDatabot } from "./support/harness";
import { ScriptedBackend } from "./fakes/scripted-backend";

let bot: TestDatabot;
let fake: FakeFoundry | undefined;
afterEach(async () => {
  await bot.close();
  await fake?.close();
  fake = undefined;
});

/** Polls /readyz until it answers `status` (the probe caches its result for a few seconds). */
async function readinessBecomes(status: number): Promise<{ checks: { name: string; ok: boolean }[] }> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const response = await fetch(`${bot.url}/readyz`);
    if (response.status === status)
      return (await response.json()) as { checks: { name: string; ok: boolean }[] };
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`/readyz never answered ${status}`);
}

test("an orchestrator sees databot healthy and ready once the store and the backend answer", async () => {
  bot = await startTestDatabot();
  const health = await fetch(`${bot.url}/healthz`);
  expect(health.status).toBe(200);
  const ready = await fetch(`${bot.url}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toMatchObject({ status: "ready" });
});

test("readiness turns 503 and names the backend when the backend cannot be reached", async () => {
  const backend = new ScriptedBackend();
  backend.ready = async () => {
    throw new Error("connect ECONNREFUSED");
  };
  bot = await startTestDatabot({ backend });
  const ready = await fetch(`${bot.url}/readyz`);
  expect(ready.status).toBe(503);
  expect(await ready.json()).toMatchObject({
    checks: [
      { name: "store", ok: true },
      { name: "backend", ok: false },
    ],
  });
});

test("readiness asks the Agent Service itself: when it stops answering /readyz says so, and recovers with it", async () => {
  fake = await startFakeFoundry();
  const backend = createAzureBackend(fake.azureConfig(), silentLogger, {
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  });
  bot = await startTestDatabot({ backend });
  expect((await fetch(`${bot.url}/readyz`)).status).toBe(200);
  const asked = fake.requestsTo("GET /assistants/*").length;

  fake.inject({ route: "GET /assistants/*", status: 503, times: Infinity });
  const down = await readinessBecomes(503);
  expect(down.checks).toEqual([
    { name: "store", ok: true },
    expect.objectContaining({ name: "backend", ok: false }),
  ]);
  expect(fake.requestsTo("GET /assistants/*").length).toBeGreaterThan(asked);

  fake.clearFaults();
  await readinessBecomes(200);
});
