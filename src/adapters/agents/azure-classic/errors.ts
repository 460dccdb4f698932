/**
 * Azure failures in databot's words: each becomes a DatabotError with a stable code and one sentence for the
 * person who asked. Service detail goes to `message` (for logs), never file contents or tokens.
 */
import { isRestError } from "@azure/core-rest-pipeline";
import { DatabotError, ErrorCode } from "../../../core/errors";

const SERVICE = "Azure AI Foundry";

/** True for an abort (shutdown, lost lease or the run timeout), which is not a service failure. */
export function isAbort(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === "AbortError" || (error as { code?: string }).code === "ABORT_ERR")
  );
}

/** The HTTP status of an SDK error, if it had one. */
export function statusOf(error: unknown): number | undefined {
  return isRestError(error) ? error.statusCode : undefined;
}

/** The run id in the service's "Thread thread_x already has an active run run_y." refusal, if that is the error. */
export function activeRunConflict(error: unknown): { runId?: string } | undefined {
  if (statusOf(error) !== 400 || !(error instanceof Error)) return undefined;
  if (!/already has an active run|while a run .* is active/i.test(error.message)) return undefined;
  return { runId: /\b(run_[A-Za-z0-9]+)/.exec(error.message)?.[1] };
}

/** Translates an SDK or network error met while `doing` something into a DatabotError. */
export function toDatabotError(error: unknown, doing: string): DatabotError {
  if (error instanceof DatabotError) return error;
  const status = statusOf(error);
  const unanswered = status === undefined ? isRestError(error) : false;
  return serviceError(error, doing, status, unanswered);
}

/**
 * A failed request to Azure AI Foundry in databot's words, by its HTTP status (undefined with `unanswered`: the
 * service was not reached); the same sentences on both Azure backends, so a thread reads the same on either.
 */
export function serviceError(
  error: unknown,
  doing: string,
  status: number | undefined,
  unanswered: boolean,
): DatabotError {
  const detail = `${doing}: ${error instanceof Error ? error.message : String(error)}`;
  if (status === 429) {
    return new DatabotError(
      ErrorCode.BackendBusy,
      `${SERVICE} is busy right now (too many requests), so the question can be retried in a minute.`,
      { retryable: true, cause: error, detail },
    );
  }
  if (status === 401 || status === 403) {
    return new DatabotError(
      ErrorCode.BackendUnavailable,
      `databot is not allowed into its ${SERVICE} project; an administrator needs to check its access.`,
      { cause: error, detail },
    );
  }
  if (unanswered || (status !== undefined && (status === 408 || status >= 500))) {
    return new DatabotError(
      ErrorCode.BackendUnavailable,
      `${SERVICE} is not answering right now, so the question can be retried in a little while.`,
      { retryable: true, cause: error, detail },
    );
  }
  return new DatabotError(ErrorCode.Internal, `${SERVICE} refused databot's request while ${doing}.`, {
    cause: error,
    detail,
  });
}

/** The error for a run that ended in a status other than completed. */
export function runEndedError(
  status: string,
  runId: string,
  lastError?: { code?: string; message?: string } | null,
  incompleteReason?: string,
): DatabotError {
  const detail = `run ${runId} ended ${status}${lastError ? ` (${lastError.code}: ${lastError.message})` : ""}`;
  switch (status) {
    case "failed":
      if (lastError?.code === "rate_limit_exceeded") {
        return new DatabotError(
          ErrorCode.BackendBusy,
          `${SERVICE} ran out of model capacity for this question, so it can be retried in a minute.`,
          { retryable: true, detail },
        );
      }
      return new DatabotError(
        ErrorCode.RunFailed,
        `The analysis failed on ${SERVICE}${lastError?.message ? `: ${oneSentence(lastError.message)}` : "."}`,
        { retryable: lastError?.code === "server_error", detail },
      );
    case "expired":
      return new DatabotError(
        ErrorCode.RunExpired,
        `The analysis expired on ${SERVICE} before it finished; a simpler question may fit in time.`,
        { retryable: true, detail },
      );
    case "cancelled":
      return new DatabotError(ErrorCode.RunCancelled, "The analysis was cancelled before it finished.", {
        retryable: true,
        detail,
      });
    case "incomplete":
      return new DatabotError(
        ErrorCode.RunIncomplete,
        `The analysis stopped early (${incompleteReason ?? "a model limit was reached"}); a narrower question should fit.`,
        { detail: `${detail} ${incompleteReason ?? ""}`.trim() },
      );
    case "requires_action":
      return new DatabotError(
        ErrorCode.RunNeedsAction,
        "The analysis asked for a tool databot does not offer, so it was stopped; please rephrase the question.",
        { detail },
      );
    default:
      return new DatabotError(ErrorCode.Internal, `The analysis ended in an unexpected state (${status}).`, {
        detail,
      });
  }
}

/** The agent thread is gone (deleted, or dropped by the service); the next ensureThread replaces it. */
export function threadGoneError(threadId: string, cause: unknown): DatabotError {
  return new DatabotError(
    ErrorCode.RunExpired,
    `The analysis behind this thread is gone on ${SERVICE}; please ask again to start afresh.`,
    { cause, detail: `agent thread ${threadId} not found` },
  );
}

/** The run took longer than databot allows; it was cancelled. */
export function runTimedOutError(runId: string, timeoutMs: number): DatabotError {
  return new DatabotError(
    ErrorCode.RunTimedOut,
    `The analysis took longer than ${duration(timeoutMs)}, so databot stopped it.`,
    { retryable: true, detail: `run ${runId} cancelled after ${timeoutMs} ms` },
  );
}

/** Databot stopped waiting (shutdown or a lost turn); the run goes on and can be resumed. */
export function stoppedWaitingError(runId: string | undefined): DatabotError {
  return new DatabotError(ErrorCode.Cancelled, "databot stopped waiting for the analysis.", {
    retryable: true,
    detail: `stopped following run ${runId ?? "(not started)"}`,
  });
}

/** The service's message trimmed to one sentence, ending with a full stop. */
function oneSentence(text: string): string {
  const first = text.trim().split(/(?<=[.!?])\s/)[0] ?? "";
  const short = first.length > 200 ? `${first.slice(0, 197)}...` : first;
  return /[.!?]$/.test(short) ? short : `${short}.`;
}

function duration(ms: number): string {
  if (ms < 90_000) return `${Math.max(1, Math.round(ms / 1000))} seconds`;
  return `${Math.round(ms / 60_000)} minutes`;
}
