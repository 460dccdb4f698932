/**
 * The HTTP server every surface shares: health and readiness for the platform that runs databot.
 */
import { startTestDatabot, type TestDatabot } from "./support/harness";
import { ScriptedBackend } from "./fakes/scripted-backend";

let bot: TestDatabot;
afterEach(async () => bot.close());

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
