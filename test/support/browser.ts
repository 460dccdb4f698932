/**
 * Debian's Chromium driven by playwright-core, for stories in a real browser. Flags keep it off the network:
 * without them it tries Google's services at every start.
 */
import fs from "node:fs";
import { chromium, type Browser, type Locator, type Page } from "playwright-core";

const CHROMIUM = "/usr/bin/chromium";

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * Waits until an <img> has loaded and returns its natural width. Polls from the test side: the page's
 * Content-Security-Policy forbids the string evaluation `page.waitForFunction` would use.
 */
export async function loadedImageWidth(image: Locator): Promise<number> {
  await image.waitFor();
  for (;;) {
    const width = await image.evaluate((element) => {
      const img = element as unknown as { complete: boolean; naturalWidth: number };
      return img.complete ? img.naturalWidth : 0;
    });
    if (width > 0) return width;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Collects the page's script errors and console errors into `problems`: a script error or a blocked resource
 * (CSP) is a broken page even when the story seems to work.
 */
export function recordProblems(page: Page, problems: string[]): void {
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
}

/** Drops a CSV into the message box and waits until the chat has staged it. */
export async function attachCsv(page: Page, name: string, csv: string): Promise<void> {
  await page.setInputFiles("#file-input", { name, mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.locator('#attachments [data-status="ready"]').waitFor();
}
