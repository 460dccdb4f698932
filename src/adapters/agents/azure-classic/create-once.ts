/**
 * Creating a message or a run is not idempotent: when the answer is lost (a 5xx, a dropped connection), the
 * request may or may not have gone through. Each attempt carries a unique token in the object's metadata; after a
 * transient failure databot first looks for an object with that token and uses it, and only creates again when
 * there is none. Throttling (429) means the request was refused, so it is simply retried after the wait.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "../../../core/logger";
import { isAbort, statusOf } from "./errors";
import { backoffMs, retryAfterMs } from "../../../core/backoff";
import { isTransient, type RetrySettings } from "./retry-policy";

/** The metadata key that marks which request created an object. */
export const REQUEST_TOKEN_KEY = "databot_request";

export type CreateOutcome<C, F> = { created: C } | { found: F };

/**
 * Runs `create(token)`; after a transient failure looks for the object with `find(token)` before trying again,
 * up to `retry.maxRetries` more times. The last failure is rethrown.
 */
export async function createOnce<C, F>(
  what: string,
  create: (token: string) => Promise<C>,
  find: (token: string) => Promise<F | undefined>,
  retry: RetrySettings,
  logger: Logger,
  signal?: AbortSignal,
): Promise<CreateOutcome<C, F>> {
  const token = randomUUID();
  for (let attempt = 0; ; attempt++) {
    try {
      return { created: await create(token) };
    } catch (error) {
      if (isAbort(error) || !isTransient(error) || attempt >= retry.maxRetries) throw error;
      if (statusOf(error) !== 429) {
        const existing = await find(token).catch((findError: unknown) => {
          // Not knowing is not fatal: creating again either succeeds or meets the thread's active run.
          logger.warn(
            { what, err: String(findError) },
            "could not check whether the lost attempt went through",
          );
          return undefined;
        });
        if (existing !== undefined) {
          logger.info({ what, attempt: attempt + 1 }, "the lost attempt had gone through; using its result");
          return { found: existing };
        }
      }
      const asked = retryAfterMs(
        (error as { response?: { headers?: { get(n: string): string | undefined } } }).response?.headers,
      );
      if (asked !== undefined && asked > retry.maxRetryAfterMs) throw error;
      const delay = asked ?? backoffMs(attempt, retry);
      logger.warn(
        { what, status: statusOf(error), attempt: attempt + 1, delayMs: delay },
        "creating failed; retrying",
      );
      await retry.sleep(delay, signal);
    }
  }
}
