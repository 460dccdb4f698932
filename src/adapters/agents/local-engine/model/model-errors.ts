/**
 * Turns the `openai` client's errors from a model endpoint into DatabotErrors that name the setting to fix. The
 * key is never part of a message: only the endpoint's host, the model name and the server's own error text
 * (capped) are.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai";
import { retryAfterMs } from "../../../../core/backoff";
import { DatabotError, ErrorCode } from "../../../../core/errors";

export interface EndpointInfo {
  /** `https://host:port/path/chat/completions`, without the query (which may hold an api-version). */
  url: string;
  host: string;
  model: string;
  hasKey: boolean;
}

/** What a failed response said. */
interface ModelHttpFailure {
  status: number;
  message: string;
  code?: string;
}

/** Any failure of a request to the model endpoint. */
export function modelError(error: unknown, endpoint: EndpointInfo): DatabotError {
  if (error instanceof DatabotError) return error;
  if (error instanceof APIConnectionTimeoutError) return unreachable(endpoint, "the request timed out");
  if (error instanceof APIConnectionError) return unreachable(endpoint, networkReason(error));
  if (!(error instanceof APIError)) {
    return unreachable(endpoint, error instanceof Error ? error.message : String(error));
  }
  const status = error.status;
  if (status === undefined) {
    // An error the server sent inside the stream, after the answer had begun.
    return notAnswering(endpoint, 500, `the stream ended with an error: ${cap(serverMessage(error))}`);
  }
  if (status === 429) {
    const asked = retryAfterMs(error.headers);
    const wait = asked !== undefined ? ` It asked to wait ${Math.ceil(asked / 1000)} s.` : "";
    return new DatabotError(
      ErrorCode.BackendBusy,
      `The model endpoint is busy (rate limited).${wait} Try again in a minute.`,
      { retryable: true, detail: `model endpoint ${endpoint.url} kept answering HTTP 429` },
    );
  }
  if (status === 408 || status === 409 || status >= 500) return notAnswering(endpoint, status);
  return requestError({ status, message: serverMessage(error), code: error.code ?? undefined }, endpoint);
}

/** The error for a response that will not succeed by retrying (4xx other than 408/409/429). */
function requestError(failure: ModelHttpFailure, endpoint: EndpointInfo): DatabotError {
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

/** Retries of an outage ran out (the client retried 408, 409 and 5xx). Retryable. */
function notAnswering(endpoint: EndpointInfo, status: number, reason?: string): DatabotError {
  return new DatabotError(
    ErrorCode.BackendUnavailable,
    `The model endpoint at ${endpoint.host} is not answering properly (HTTP ${status}). Try again shortly.`,
    {
      retryable: true,
      detail: `model endpoint ${endpoint.url}: ${reason ?? `kept answering HTTP ${status}`}`,
    },
  );
}

/** Nothing answered (refused, reset, timed out), after the client's retries. Retryable. */
function unreachable(endpoint: EndpointInfo, reason: string): DatabotError {
  return new DatabotError(
    ErrorCode.BackendUnavailable,
    `databot cannot reach the model endpoint at ${endpoint.host} (${reason}). Is the model server running? Check MODEL_BASE_URL.`,
    { retryable: true, detail: `model endpoint ${endpoint.url}: ${reason}` },
  );
}

/** The server's own words: the envelope's message, a bare string error, or a page's text without its tags. */
function serverMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | string | undefined;
  if (typeof body === "string") return body;
  if (body && typeof body.message === "string") return body.message;
  return error.message
    .replace(/^\d{3}\s*/, "")
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** The network failure under a connection error: `ECONNREFUSED` rather than "Connection error.". */
function networkReason(error: APIConnectionError): string {
  let cause: unknown = error.cause;
  for (let depth = 0; depth < 4 && cause; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === "string") return code;
    cause = (cause as { cause?: unknown }).cause;
  }
  return error.message;
}

function cap(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
