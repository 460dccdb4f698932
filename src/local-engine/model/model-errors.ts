/**
 * Turns a model endpoint's failures into DatabotErrors that name the setting to fix. The key is never part of
 * a message: only the endpoint's host, the model name and the server's own error text (capped) are.
 */
import { DatabotError, ErrorCode } from "../../core/errors";
import type { ErrorEnvelope } from "./wire";

/** What a failed response said, parsed from its error envelope. */
export interface ModelHttpFailure {
  status: number;
  message: string;
  code?: string;
  type?: string;
}

/** Parses `{error: {message, type, code}}` (or `{error: "..."}`, or plain text) from an error body. */
export function parseErrorBody(status: number, body: string): ModelHttpFailure {
  try {
    const parsed = JSON.parse(body) as Partial<ErrorEnvelope> & { message?: string; detail?: string };
    const error = parsed.error;
    if (typeof error === "string") return { status, message: error };
    if (error && typeof error === "object") {
      return {
        status,
        message: error.message ?? "",
        code: error.code === null || error.code === undefined ? undefined : String(error.code),
        type: error.type,
      };
    }
    return { status, message: parsed.message ?? parsed.detail ?? "" };
  } catch {
    // Not JSON: a proxy's HTML page or a plain-text message.
    return {
      status,
      message: body
        .replace(/<[^>]*>/g, " ")
        .replace(/\s+/g, " ")
        .trim(),
    };
  }
}

export interface EndpointInfo {
  /** `https://host:port/path/chat/completions`, without the query (which may hold an api-version). */
  url: string;
  host: string;
  model: string;
  hasKey: boolean;
}

/** The error for a response that will not succeed by retrying (4xx other than 408/409/429). */
export function modelRequestError(failure: ModelHttpFailure, endpoint: EndpointInfo): DatabotError {
  const detail = `model endpoint ${endpoint.url} answered HTTP ${failure.status}: ${cap(failure.message)}`;
  const said = failure.message ? ` It said: "${cap(failure.message)}"` : "";
  if (failure.status === 401 || failure.status === 403) {
    const fix = endpoint.hasKey ? "Check MODEL_API_KEY." : "It needs an API key: set MODEL_API_KEY.";
    return new DatabotError(
      ErrorCode.BackendUnavailable,
      `The model endpoint at ${endpoint.host} refused databot's credentials (HTTP ${failure.status}). ${fix}`,
      { detail },
    );
  }
  if (failure.status === 404) {
    const aboutModel = /model|deployment/i.test(`${failure.code ?? ""} ${failure.message}`);
    return new DatabotError(
      ErrorCode.BackendUnavailable,
      aboutModel
        ? `The model endpoint at ${endpoint.host} has no model named "${endpoint.model}" (HTTP 404). Check MODEL_NAME.${said}`
        : `Nothing answers chat completions at ${endpoint.url} (HTTP 404). Check MODEL_BASE_URL (OpenAI-compatible endpoints usually end in /v1).`,
      { detail },
    );
  }
  const text = `${failure.code ?? ""} ${failure.message}`;
  if (/context[_ ]length|maximum context|too many tokens|context window/i.test(text)) {
    return new DatabotError(
      ErrorCode.RunFailed,
      "The conversation is now too long for the model. Say `reset` to start a fresh analysis in this thread.",
      { detail },
    );
  }
  if (/does not support tools|tool[s_ ]*(calling)? (is |are )?not supported|tool_choice/i.test(text)) {
    return new DatabotError(
      ErrorCode.RunFailed,
      `The model "${endpoint.model}" does not support tool calling, which databot needs to run code. Choose a model with tool calling in MODEL_NAME.`,
      { detail },
    );
  }
  return new DatabotError(
    ErrorCode.RunFailed,
    `The model endpoint rejected the request (HTTP ${failure.status}).${said}`,
    { detail },
  );
}

/** The error once retries of throttling or an outage ran out. Both are retryable. */
export function modelUnavailableError(
  endpoint: EndpointInfo,
  last: { status?: number; networkError?: string; retryAfterMs?: number },
): DatabotError {
  if (last.status === 429) {
    const wait =
      last.retryAfterMs !== undefined ? ` It asked to wait ${Math.ceil(last.retryAfterMs / 1000)} s.` : "";
    return new DatabotError(
      ErrorCode.BackendBusy,
      `The model endpoint is busy (rate limited).${wait} Try again in a minute.`,
      { retryable: true, detail: `model endpoint ${endpoint.url} kept answering HTTP 429` },
    );
  }
  if (last.status !== undefined) {
    return new DatabotError(
      ErrorCode.BackendUnavailable,
      `The model endpoint at ${endpoint.host} is not answering properly (HTTP ${last.status}). Try again shortly.`,
      { retryable: true, detail: `model endpoint ${endpoint.url} kept answering HTTP ${last.status}` },
    );
  }
  return new DatabotError(
    ErrorCode.BackendUnavailable,
    `databot cannot reach the model endpoint at ${endpoint.host} (${last.networkError ?? "no answer"}). Is the model server running? Check MODEL_BASE_URL.`,
    { retryable: true, detail: `model endpoint ${endpoint.url}: ${last.networkError ?? "no answer"}` },
  );
}

function cap(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
