/**
 * A person trying databot for the first time: no configuration at all, so the local engine answers (the offline
 * analyst running pandas and matplotlib in the real sandbox) and the browser chat is the surface. They drop a
 * CSV, ask for a bar chart, and see it — the same path `npm start` serves.
 */
import fs from "node:fs";
import path from "node:path";
import type { Browser } from "playwright-core";
import { attachCsv, launchChromium, loadedImageWidth } from "./support/browser";
import { startTestDatabot, type TestDatabot } from "./support/harness";

const ARTIFACTS = path.join(__dirname, "..", "test-artifacts");
const SALES = [
  "date,region,product,sales",
  "2024-01-05,West,Widgets,1200",
  "2024-01-09,East,Widgets,800",
  "2024-02-11,West,Gadgets,450",
  "2024-02-20,North,Widgets,975",
  "2024-03-02,East,Gadgets,1320",
  "2024-03-15,South,Widgets,610",
  "",
].join("\n");

let bot: TestDatabot;
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
  bot = await startTestDatabot({ env: { WEB_CHAT: "true", SANDBOX_POOL_SIZE: "1" }, backend: "configured" });
});

afterAll(async () => {
  await browser?.close();
  await bot?.close();
});

test("with zero configuration, a dropped CSV and 'bar chart of sales by region' show a bar chart in the browser", async () => {
  expect(bot.backend.name).toBe("local");
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(bot.url);
  await attachCsv(page, "sales.csv", SALES);
  await page.getByRole("textbox").fill("bar chart of sales by region");
  await page.keyboard.press("Enter");

  const chart = page.locator(".entry-bot figure img").last();
  expect(await loadedImageWidth(chart)).toBeGreaterThan(300);
  // Charts are described (for screen readers) and named (for downloads) by their titles.
  expect(await chart.getAttribute("alt")).toBe("Chart: Sum of sales by region");
  const answer = await page.locator(".entry-bot").last().innerText();
  // The numbers come from the data: West sold 1200 + 450.
  expect(answer).toMatch(/West/);
  expect(answer).toMatch(/1,?650/);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, "first-run.png"), fullPage: true });
  await page.close();
});
