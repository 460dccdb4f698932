/**
 * Failures of the Responses-API backend in databot's words. The OpenAI client throws `APIError`s (with the
 * service's status, code and headers); the agents routes of `@azure/ai-projects` throw `RestError`s. Both become
 * DatabotErrors with the same sentences the classic backend uses, so a thread reads the same on either.
 */
import { isRestError } from "@azure/core-rest-pipeline";
import { APIConnectionError, APIError, APIUserAbortError } from "openai";
import { DatabotError, ErrorCode } from "../../../core/errors";
import {
  isAbort as isPlainAbort,
  runEndedError,
  serviceError,
  toDatabotError as restToDatabotError,
} from "../azure-classic/errors";

export { runTimedOutError, stoppedWaitingError } from "../azure-classic/errors";

const SERVICE = "Azure AI Foundry";

/** True for an abort (shutdown, lost lease or the run timeout), which is not a service failure. */
export function isAbort(error: unknown): boolean {
  return error instanceof APIUserAbortError || isPlainAbort(error);
}

/** The HTTP status of a client error, if the service answered. */
export function statusOf(error: unknown): number | undefined {
  if (error instanceof APIError) return error.status;
  if (isRestError(error)) return error.statusCode;
  return undefined;
}

/** The service's error code (`conversation_locked`, `rate_limit_exceeded`, ...), if any. */
function errorCodeOf(error: unknown): string | undefined {
  if (error instanceof APIError) return error.code ?? undefined;
  if (isRestError(error)) return error.code;
  return undefined;
}

/** A second response on a conversation that is still busy with one. */
export function isConversationLocked(error: unknown): boolean {
  if (statusOf(error) !== 400) return false;
  return (
    errorCodeOf(error) === "conversation_locked" ||
    /another process is currently operating on this conversation/i.test(String((error as Error).message))
  );
}

/** A request naming a container that expired (its files and variables are gone). */
export function isContainerExpired(error: unknown): boolean {
  const status = statusOf(error);
  if (status !== 400 && status !== 404) return false;
  return errorCodeOf(error) === "container_expired" || /container is expired/i.test((error as Error).message);
}

/** Worth another attempt: throttling, a server error, or the connection failing (not an abort). */
export function isTransient(error: unknown): boolean {
  if (isAbort(error)) return false;
  if (error instanceof APIConnectionError) return true;
  const status = statusOf(error);
  return status === 408 || status === 429 || (status !== undefined && status >= 500);
}

/** The headers of an error answer, for `retry-after`. */
export function errorHeaders(error: unknown): { get(name: string): string | undefined } | undefined {
  if (error instanceof APIError && error.headers) {
    const headers = error.headers;
    return { get: (name) => headers.get(name) ?? undefined };
  }
  return undefined;
}

/** Translates a client or network error met while `doing` something into a DatabotError. */
export function toDatabotError(error: unknown, doing: string): DatabotError {
  if (error instanceof DatabotError) return error;
  if (!(error instanceof APIError)) return restToDatabotError(error, doing);
  if (isConversationLocked(error)) {
    return new DatabotError(
      ErrorCode.BackendBusy,
      `${SERVICE} is still busy with an earlier question in this thread, so this one can be retried in a moment.`,
      { retryable: true, cause: error, detail: `${doing}: ${error.message}` },
    );
  }
  return serviceError(error, doing, error.status, error.status === undefined);
}

const INCOMPLETE_REASONS: Record<string, string> = {
  max_output_tokens: "the answer reached the model's output limit",
  max_messages: "the conversation reached its message limit",
  content_filter: "the content filter stopped it",
};

/** The error for a response that ended other than completed. */
export function responseEndedError(
  status: string,
  responseId: string,
  error?: { code?: string | null; message?: string | null } | null,
  incompleteReason?: string | null,
): DatabotError {
  if (status === "incomplete") {
    const reason = incompleteReason ? (INCOMPLETE_REASONS[incompleteReason] ?? incompleteReason) : undefined;
    return runEndedError("incomplete", responseId, null, reason);
  }
  const lastError = error ? { code: error.code ?? undefined, message: error.message ?? undefined } : null;
  return runEndedError(status, responseId, lastError);
}

/**
 * The thread is gone: its conversation was deleted (on the service, or by a reset) or the store no longer knows
 * its container and files. The next ensureThread replaces it.
 */
export function lostThreadError(conversationId: string, cause?: unknown): DatabotError {
  return new DatabotError(
    ErrorCode.RunExpired,
    "databot lost track of this thread's analysis session; please ask again to start a fresh one.",
    { cause, detail: `conversation ${conversationId} is gone` },
  );
}
