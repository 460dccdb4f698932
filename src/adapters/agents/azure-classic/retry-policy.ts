/**
 * databot's retry policy for the Agents SDK pipeline, in place of the SDK's default one:
 * - retries throttling (429), server errors (408, 5xx) and network failures with exponential backoff and jitter,
 *   honouring `Retry-After` (seconds or a date) and `retry-after-ms`, up to `maxRetries` times;
 * - never replays a body that was a stream (uploads), and never replays creating a run or a message: those are not
 *   idempotent, so the callers retry them themselves after checking whether the lost attempt went through;
 * - turns an error answer to a streamed request (`.stream()`, `.asNodeStream()`) into a RestError that carries the
 *   service's error message, which the SDK would otherwise drop.
 */
import {
  isRestError,
  type PipelinePolicy,
  type PipelineRequest,
  type PipelineResponse,
  RestError,
} from "@azure/core-rest-pipeline";
import type { Logger } from "../../../core/logger";
import { sleep, type AbortSignalLike } from "../../../core/async";
import { backoffMs, retryAfterMs, type BackoffSettings } from "../../../core/backoff";

export interface RetrySettings extends BackoffSettings {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** A `Retry-After` longer than this is not waited for: the user is told instead. */
  maxRetryAfterMs: number;
  /** Waits between attempts (replaceable in tests). */
  sleep: (ms: number, signal?: AbortSignalLike) => Promise<void>;
}

const RETRY_POLICY_NAME = "databotRetryPolicy";

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const ERROR_BODY_LIMIT = 64 * 1024;

export const DEFAULT_RETRY: Omit<RetrySettings, "maxRetries"> = {
  baseDelayMs: 800,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 60_000,
  sleep,
};

/** A failure worth another attempt: throttling, a server error or a network error (not an abort). */
export function isTransient(error: unknown): boolean {
  if (!isRestError(error)) return false;
  if (error.statusCode !== undefined) return RETRYABLE_STATUS.has(error.statusCode);
  return error.code !== RestError.PARSE_ERROR;
}

/** Requests that must not be sent twice by the pipeline: creating a run or a message. */
function isNonIdempotentCreate(request: PipelineRequest): boolean {
  if (request.method !== "POST") return false;
  return /\/threads\/[^/]+\/(runs|messages)$/.test(new URL(request.url).pathname);
}

/** Only bodies held in memory can be sent again; a stream (an upload) is consumed by the first attempt. */
function canReplay(request: PipelineRequest): boolean {
  const body = request.body;
  return body === undefined || body === null || typeof body === "string" || body instanceof Uint8Array;
}

function isStreamed(request: PipelineRequest, status: number): boolean {
  const codes = request.streamResponseStatusCodes;
  return codes !== undefined && (codes.has(Number.POSITIVE_INFINITY) || codes.has(status));
}

/** Reads a small error body from a streamed response and makes it the RestError the caller sees. */
async function streamedError(response: PipelineResponse): Promise<RestError> {
  const chunks: Buffer[] = [];
  let size = 0;
  const stream = response.readableStreamBody;
  if (stream) {
    for await (const chunk of stream) {
      const buffer = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
      if (size < ERROR_BODY_LIMIT) chunks.push(buffer);
      size += buffer.length;
    }
  }
  const text = Buffer.concat(chunks).toString("utf8").slice(0, ERROR_BODY_LIMIT);
  let message = `Unexpected status code: ${response.status}`;
  let code: string | undefined;
  try {
    const parsed = JSON.parse(text) as { error?: { message?: string; code?: string } };
    message = parsed.error?.message ?? message;
    code = parsed.error?.code ?? undefined;
  } catch {
    // not JSON: keep the status as the message
  }
  return new RestError(message, {
    code,
    statusCode: response.status,
    request: response.request,
    response: { ...response, readableStreamBody: undefined, bodyAsText: text },
  });
}

/** The pipeline policy described above. */
export function databotRetryPolicy(settings: RetrySettings, logger: Logger): PipelinePolicy {
  return {
    name: RETRY_POLICY_NAME,
    async sendRequest(request, next) {
      const retriesAllowed = canReplay(request) && !isNonIdempotentCreate(request) ? settings.maxRetries : 0;
      for (let attempt = 0; ; attempt++) {
        let response: PipelineResponse | undefined;
        let error: unknown;
        try {
          response = await next(request);
          if (response.status >= 400 && isStreamed(request, response.status))
            throw await streamedError(response);
        } catch (caught) {
          error = caught;
          response = undefined;
        }
        const failure = error ?? (response && RETRYABLE_STATUS.has(response.status) ? response : undefined);
        if (failure === undefined) return response!;
        const status = response?.status ?? (isRestError(error) ? error.statusCode : undefined);
        const transient = error === undefined ? true : isTransient(error);
        const headers = response?.headers ?? (isRestError(error) ? error.response?.headers : undefined);
        const asked = retryAfterMs(headers);
        const give = (): PipelineResponse => {
          if (error !== undefined) throw error;
          return response!;
        };
        if (!transient || attempt >= retriesAllowed || request.abortSignal?.aborted) return give();
        if (asked !== undefined && asked > settings.maxRetryAfterMs) return give();
        const delay = asked ?? backoffMs(attempt, settings);
        logger.warn(
          {
            method: request.method,
            path: new URL(request.url).pathname,
            status,
            attempt: attempt + 1,
            delayMs: delay,
          },
          "Azure AI Foundry request failed; retrying",
        );
        await settings.sleep(delay, request.abortSignal);
      }
    },
  };
}
