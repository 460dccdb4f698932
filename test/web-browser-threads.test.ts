/**
 * Managing chats in the browser (headless Chromium): someone renames a chat and finds it under its new name
 * after a reload, then deletes it — its messages, charts and uploads go, and databot forgets the analysis as
 * `reset` would (the thread mapping and the backend's thread).
 */
import fs from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { webThreadId } from "../src/adapters/chat/web/web-surface";
import { attachCsv, launchChromium, loadedImageWidth, recordProblems } from "./support/browser";
import { ScriptedBackend } from "./fakes/scripted-backend";
import { startTestDatabot, type TestDatabot } from "./support/harness";

const SALES = "month,region,revenue\n2024-01,East,120\n2024-01,West,95\n";

let bot: TestDatabot;
let browser: Browser;
let page: Page;
let backend: ScriptedBackend;
const problems: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  backend = new ScriptedBackend();
  bot = await startTestDatabot({ env: { WEB_CHAT: "true" }, backend });
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  recordProblems(page, problems);
});

afterAll(async () => {
  await page?.close();
  await browser?.close();
  await bot?.close();
});

function currentKey(): string {
  return /#\/t\/([0-9a-f-]{36})$/.exec(page.url())![1]!;
}

test("a chat is renamed, keeps its name after a reload, and when deleted is gone with its files and its analysis", async () => {
  await page.goto(bot.url);
  await attachCsv(page, "sales.csv", SALES);
  await page.getByLabel("Message").fill("bar chart of revenue by region");
  await page.getByLabel("Message").press("Enter");
  expect(await loadedImageWidth(page.locator(".entry-bot figure img").last())).toBe(64);
  const key = currentKey();
  await bot.waitForTurns(1);
  const mapped = await bot.store.getThread(webThreadId(key));
  expect(mapped).toBeDefined();

  // Rename: the title becomes a box; Enter saves it, in the header and the list.
  await page.getByRole("button", { name: "Rename" }).click();
  await page.getByLabel("Chat name").fill("Q3 revenue");
  await page.getByLabel("Chat name").press("Enter");
  await page.locator("#chat-title", { hasText: "Q3 revenue" }).waitFor();
  await page.locator("#thread-list a", { hasText: "Q3 revenue" }).waitFor();
  await page.reload();
  await page.locator("#chat-title", { hasText: "Q3 revenue" }).waitFor();
  // Escape leaves the name as it was.
  await page.getByRole("button", { name: "Rename" }).click();
  await page.getByLabel("Chat name").fill("something else");
  await page.getByLabel("Chat name").press("Escape");
  await page.locator("#chat-title", { hasText: "Q3 revenue" }).waitFor();

  // Delete, after saying yes.
  const asked: string[] = [];
  page.once("dialog", (dialog) => {
    asked.push(dialog.message());
    void dialog.accept();
  });
  await page.getByRole("button", { name: "Delete" }).click();
  await page.locator("#empty-state").waitFor({ state: "visible" });
  expect(asked[0]).toContain('Delete "Q3 revenue"?');
  expect(await page.locator("#thread-list a", { hasText: "Q3 revenue" }).count()).toBe(0);
  expect(page.url()).not.toContain(key);

  // As `reset`: the turn that forgets the analysis runs through the inbox, and its reply goes nowhere.
  await bot.waitForTurns(2);
  expect(await bot.store.getThread(webThreadId(key))).toBeUndefined();
  expect(backend.threads.get(mapped!.agentThreadId)?.deleted).toBe(true);
  const response = await fetch(`${bot.url}/web/api/threads/${key}`);
  expect(response.status).toBe(404);
  expect(fs.existsSync(path.join(bot.dataDir, "web", "threads", key))).toBe(false);
  const uploads = path.join(bot.dataDir, "web-uploads");
  expect(fs.existsSync(uploads) ? fs.readdirSync(uploads) : []).toEqual([]);
  const listed = (await (await fetch(`${bot.url}/web/api/threads`)).json()) as { threads: unknown[] };
  expect(listed.threads).toEqual([]);
  expect(problems).toEqual([]);
});
