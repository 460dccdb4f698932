/**
 * Renaming and deleting a web chat through the API: a rename needs a name and a chat; a delete removes the
 * chat's history and the files still waiting in it, and a second delete finds nothing.
 */
import fs from "node:fs";
import path from "node:path";
import { ScriptedBackend } from "./fakes/scripted-backend";
import { startTestDatabot, type TestDatabot } from "./support/harness";

const PAGE = { "x-databot-client": "web" };
let bot: TestDatabot;

beforeEach(async () => {
  bot = await startTestDatabot({ env: { WEB_CHAT: "true" }, backend: new ScriptedBackend() });
});
afterEach(async () => bot?.close());

async function call(route: string, init: RequestInit = {}) {
  const response = await fetch(`${bot.url}/web/api${route}`, {
    ...init,
    headers: { ...PAGE, ...init.headers },
  });
  const body = response.status === 204 ? {} : ((await response.json()) as Record<string, unknown>);
  return { status: response.status, body };
}

const json = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

test("a chat is renamed only with a name, and only when it exists", async () => {
  const { body } = await call("/threads", { method: "POST" });
  const id = (body.thread as { id: string }).id;
  expect((await call(`/threads/${id}`, json("PATCH", { title: "   " }))).status).toBe(400);
  const renamed = await call(`/threads/${id}`, json("PATCH", { title: "Q3 revenue" }));
  expect(renamed).toMatchObject({ status: 200, body: { thread: { id, title: "Q3 revenue" } } });
  const unknown = "00000000-0000-4000-8000-000000000000";
  expect((await call(`/threads/${unknown}`, json("PATCH", { title: "x" }))).status).toBe(404);
});

test("deleting a chat removes its history and the files still waiting to be sent; a second delete finds nothing", async () => {
  const { body } = await call("/threads", { method: "POST" });
  const id = (body.thread as { id: string }).id;
  const form = new FormData();
  form.append("file", new Blob(["a,b\n1,2\n"], { type: "text/csv" }), "waiting.csv");
  expect((await call(`/threads/${id}/uploads`, { method: "POST", body: form })).status).toBe(200);
  expect(fs.readdirSync(path.join(bot.dataDir, "web-uploads")).length).toBeGreaterThan(0);

  expect((await call(`/threads/${id}`, { method: "DELETE" })).status).toBe(204);
  expect(fs.readdirSync(path.join(bot.dataDir, "web-uploads"))).toEqual([]);
  expect((await call(`/threads/${id}`)).status).toBe(404);
  expect((await call(`/threads/${id}`, { method: "DELETE" })).status).toBe(404);
  await bot.waitForTurns(1); // the thread's reset, whose reply has nowhere to go
  expect((await call("/threads")).body.threads).toEqual([]);
});
