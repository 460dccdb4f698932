/**
 * Debian's Chromium driven by playwright-core, for stories in a real browser. Flags keep it off the network:
 * without them it tries Google's services at every start.
 */
import fs from "node:fs";
import { chromium, type Browser, type Locator } from "playwright-core";

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
