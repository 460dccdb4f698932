/**
 * A small client for one OpenAI-compatible chat-completions endpoint: sends a request (streamed when the server
 * streams), gathers the assistant's text and tool calls, retries throttling and outages with backoff that
 * honours `Retry-After`, and turns the rest into DatabotErrors that name the setting to fix.
 */
import { randomUUID } from "node:crypto";
import { DatabotError } from "../../core/errors";
import type { Logger } from "../../core/logger";
import { modelRequestError, modelUnavailableError, parseErrorBody, type EndpointInfo } from "./model-errors";
import { readSse } from "./sse";
import type {
  AssistantTurn,
  ChatCompletion,
  ChatCompletionChunk,
  ChatMessage,
  FinishReason,
  FunctionTool,
  ToolCall,
} from "./wire";
import { sleep } from "../../core/async";

export interface RetryPolicy {
  /** Tries per request, the first included. */
  attempts: number;
  /** The first backoff when the server gives no Retry-After; doubled per attempt, with jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the request fails as busy right away. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 1000,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 60_000,
};

/** How the key is sent: Azure's `api-key` header, or `Authorization: Bearer` (OpenAI, vLLM, most others). */
export type KeyHeader = "api-key" | "bearer";

export interface ChatClientOptions {
  /** E.g. `http://localhost:11434/v1`; `/chat/completions` is appended. A query (`?api-version=`) is kept. */
  baseUrl: string;
  apiKey?: string;
  model: string;
  /** Default: `api-key` for Azure hosts (`*.openai.azure.com`, `*.cognitiveservices.azure.com`, `*.services.ai.azure.com`), else bearer. */
  keyHeader?: KeyHeader;
  /** Ask for a streamed answer. Default true; a server that answers with plain JSON is read as such. */
  stream?: boolean;
  retry?: Partial<RetryPolicy>;
  /** Longest a single request may take. Default 10 minutes (local models can be slow). */
  requestTimeoutMs?: number;
  logger: Logger;
}

export interface CompleteOptions {
  tools?: FunctionTool[];
  toolChoice?: "auto" | "none";
  signal?: AbortSignal;
  /** Called with the whole text so far while a streamed answer arrives. */
  onText?(text: string): void;
}

const AZURE_HOST = /\.(openai\.azure\.com|cognitiveservices\.azure\.com|services\.ai\.azure\.com)$/i;

/** The key header a base URL needs when none is configured explicitly. */
export function keyHeaderFor(baseUrl: string): KeyHeader {
  return AZURE_HOST.test(new URL(baseUrl).hostname) ? "api-key" : "bearer";
}

/** `<base>/chat/completions`, keeping the base URL's query string. */
export function completionsUrl(baseUrl: string): URL {
  const url = new URL(baseUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/chat/completions`;
  return url;
}

/** A retryable failure of one attempt, with what the server asked for. */
class RetryableFailure extends Error {
  constructor(
    readonly status: number | undefined,
    readonly retryAfterMs: number | undefined,
    readonly networkError?: string,
  ) {
    super(networkError ?? `HTTP ${status}`);
  }
}

export class ChatCompletionsClient {
  private readonly url: URL;
  private readonly endpoint: EndpointInfo;
  private readonly retry: RetryPolicy;
  private readonly headers: Record<string, string>;

  constructor(private readonly options: ChatClientOptions) {
    this.url = completionsUrl(options.baseUrl);
    this.endpoint = {
      url: `${this.url.origin}${this.url.pathname}`,
      host: this.url.host,
      model: options.model,
      hasKey: Boolean(options.apiKey),
    };
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.headers = { "content-type": "application/json", accept: "application/json, text/event-stream" };
    if (options.apiKey) {
      if ((options.keyHeader ?? keyHeaderFor(options.baseUrl)) === "api-key") {
        this.headers["api-key"] = options.apiKey;
      } else {
        this.headers.authorization = `Bearer ${options.apiKey}`;
      }
    }
  }

  /** Sends the conversation and returns the assistant's turn, retrying what may pass. */
  async complete(messages: ChatMessage[], options: CompleteOptions = {}): Promise<AssistantTurn> {
    const body = JSON.stringify({
      model: this.options.model,
      messages,
      ...(options.tools && options.tools.length > 0
        ? { tools: options.tools, tool_choice: options.toolChoice ?? "auto" }
        : {}),
      stream: this.options.stream ?? true,
    });
    let last: RetryableFailure | undefined;
    for (let attempt = 1; attempt <= this.retry.attempts; attempt++) {
      try {
        return await this.attempt(body, options);
      } catch (error) {
        if (!(error instanceof RetryableFailure)) throw error;
        last = error;
        const delay = this.delayFor(attempt, error.retryAfterMs);
        if (attempt === this.retry.attempts || delay === undefined) break;
        this.options.logger.warn(
          { status: error.status, network: error.networkError, attempt, delayMs: delay },
          "model endpoint failed; retrying",
        );
        await sleep(delay, options.signal);
      }
    }
    throw modelUnavailableError(this.endpoint, {
      status: last?.status,
      networkError: last?.networkError,
      retryAfterMs: last?.retryAfterMs,
    });
  }

  private async attempt(body: string, options: CompleteOptions): Promise<AssistantTurn> {
    const timeout = AbortSignal.timeout(this.options.requestTimeoutMs ?? 600_000);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await fetch(this.url, { method: "POST", headers: this.headers, body, signal });
    } catch (error) {
      throw this.networkFailure(error, options.signal);
    }
    if (!response.ok) {
      const text = await response.text().catch(() => "");
      const failure = parseErrorBody(response.status, text);
      if (isRetryableStatus(response.status)) {
        throw new RetryableFailure(response.status, retryAfterMs(response.headers));
      }
      throw modelRequestError(failure, this.endpoint);
    }
    try {
      const type = response.headers.get("content-type") ?? "";
      if (type.includes("text/event-stream") && response.body) {
        return await this.readStream(response.body, options.onText);
      }
      return this.readJson((await response.json()) as ChatCompletion);
    } catch (error) {
      if (error instanceof DatabotError || error instanceof RetryableFailure) throw error;
      throw this.networkFailure(error, options.signal);
    }
  }

  private readJson(completion: ChatCompletion): AssistantTurn {
    const choice = completion.choices?.[0];
    if (!choice) throw new RetryableFailure(502, undefined, "the answer had no choices");
    return {
      content: choice.message.content ?? "",
      toolCalls: (choice.message.tool_calls ?? []).map((call) => ({
        id: call.id || `call_${randomUUID().slice(0, 8)}`,
        type: "function",
        function: {
          name: call.function.name,
          arguments:
            typeof call.function.arguments === "string"
              ? call.function.arguments
              : JSON.stringify(call.function.arguments),
        },
      })),
      finishReason: choice.finish_reason,
    };
  }

  private async readStream(
    body: AsyncIterable<Uint8Array>,
    onText: ((text: string) => void) | undefined,
  ): Promise<AssistantTurn> {
    let content = "";
    let finishReason: FinishReason = null;
    const calls: { id?: string; name: string; arguments: string }[] = [];
    for await (const event of readSse(body)) {
      if (event.data === "[DONE]") break;
      const chunk = JSON.parse(event.data) as ChatCompletionChunk & { error?: unknown };
      if (chunk.error) {
        const failure = parseErrorBody(500, JSON.stringify({ error: chunk.error }));
        throw new RetryableFailure(500, undefined, `the stream ended with an error: ${failure.message}`);
      }
      // Azure sends a first chunk with no choices (content filter results): nothing to add.
      for (const choice of chunk.choices ?? []) {
        if (choice.index !== 0) continue;
        const delta = choice.delta ?? {};
        if (delta.content) {
          content += delta.content;
          onText?.(content);
        }
        for (const piece of delta.tool_calls ?? []) {
          const call = (calls[piece.index] ??= { name: "", arguments: "" });
          if (piece.id) call.id = piece.id;
          if (piece.function?.name && !call.name) call.name = piece.function.name;
          if (piece.function?.arguments) call.arguments += piece.function.arguments;
        }
        if (choice.finish_reason) finishReason = choice.finish_reason;
      }
    }
    const toolCalls: ToolCall[] = calls
      .filter((c) => c !== undefined)
      .map((c) => ({
        id: c.id || `call_${randomUUID().slice(0, 8)}`,
        type: "function",
        function: { name: c.name, arguments: c.arguments },
      }));
    return { content, toolCalls, finishReason };
  }

  private networkFailure(error: unknown, outer: AbortSignal | undefined): Error {
    if (outer?.aborted) return outer.reason instanceof Error ? outer.reason : new Error("aborted");
    const name = (error as { name?: string }).name;
    if (name === "TimeoutError") {
      return new RetryableFailure(undefined, undefined, "the request timed out");
    }
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
    return new RetryableFailure(undefined, undefined, reason);
  }

  /** The wait before the next attempt, or undefined when the server asked for longer than we wait. */
  private delayFor(attempt: number, retryAfter: number | undefined): number | undefined {
    if (retryAfter !== undefined) return retryAfter > this.retry.maxRetryAfterMs ? undefined : retryAfter;
    const exponential = this.retry.baseDelayMs * 2 ** (attempt - 1);
    return Math.min(this.retry.maxDelayMs, exponential * (0.5 + Math.random() / 2));
  }
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** `retry-after-ms` (OpenAI, Azure) or `Retry-After` in seconds or as an HTTP date. */
export function retryAfterMs(headers: Headers): number | undefined {
  const ms = Number(headers.get("retry-after-ms"));
  if (headers.has("retry-after-ms") && Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get("retry-after");
  if (value === null) return undefined;
  const seconds = Number(value);
  if (value.trim() !== "" && Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
