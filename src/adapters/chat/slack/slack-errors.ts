/**
 * Reading Slack Web API failures: the SDK throws a platform error carrying Slack's `error` string
 * (`{ok:false, error:"missing_scope"}`); callers branch on that string.
 */
import { ErrorCode as WebApiErrorCode } from "@slack/web-api";

/** Slack's error string (`missing_scope`, `message_not_in_streaming_state`...), if the failure came from Slack. */
export function slackErrorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const coded = error as { code?: string; data?: { error?: unknown } };
  if (coded.code === WebApiErrorCode.PlatformError && typeof coded.data?.error === "string") {
    return coded.data.error;
  }
  if (coded.code === WebApiErrorCode.RateLimitedError) return "ratelimited";
  return undefined;
}

/** Failures that say nothing about whether the request itself is acceptable: trying again later may work. */
const TRANSIENT = new Set([
  "ratelimited",
  "internal_error",
  "fatal_error",
  "service_unavailable",
  "request_timeout",
]);

export function isTransient(error: unknown): boolean {
  const code = slackErrorCode(error);
  if (code === undefined) return true; // transport failure or HTTP error
  return TRANSIENT.has(code);
}
