/**
 * One rule for how long databot waits before trying a request again, whichever client made it: the wait the
 * service asked for, else exponential backoff with jitter.
 */
import { backoffMs, retryAfterMs } from "../src/core/backoff";

const azureHeaders = (values: Record<string, string>) => ({ get: (name: string) => values[name] });

test("a throttled answer is waited for as long as it asks, in milliseconds, seconds or as a date", () => {
  expect(retryAfterMs(new Headers({ "retry-after-ms": "1500", "retry-after": "9" }))).toBe(1500);
  expect(retryAfterMs(azureHeaders({ "x-ms-retry-after-ms": "250" }))).toBe(250);
  expect(retryAfterMs(new Headers({ "retry-after": "3" }))).toBe(3000);
  const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
  const wait = retryAfterMs(azureHeaders({ "retry-after": inTenSeconds }))!;
  expect(wait).toBeGreaterThan(8_000);
  expect(wait).toBeLessThanOrEqual(10_000);
  expect(retryAfterMs(new Headers({ "retry-after": new Date(Date.now() - 60_000).toUTCString() }))).toBe(0);
});

test("an answer that names no wait, or an unreadable one, leaves the wait to backoff", () => {
  expect(retryAfterMs(undefined)).toBeUndefined();
  expect(retryAfterMs(new Headers())).toBeUndefined();
  expect(retryAfterMs(azureHeaders({ "retry-after": "soon" }))).toBeUndefined();
  expect(retryAfterMs(azureHeaders({ "retry-after-ms": "-5", "retry-after": " " }))).toBeUndefined();
  expect(retryAfterMs(azureHeaders({ "retry-after-ms": "", "retry-after": "2" }))).toBe(2000);
});

test("backoff doubles from the base delay up to the longest, never below half of it", () => {
  const settings = { baseDelayMs: 800, maxDelayMs: 30_000 };
  for (let attempt = 0; attempt < 10; attempt++) {
    const ceiling = Math.min(30_000, 800 * 2 ** attempt);
    for (let i = 0; i < 50; i++) {
      const delay = backoffMs(attempt, settings);
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
  }
});
