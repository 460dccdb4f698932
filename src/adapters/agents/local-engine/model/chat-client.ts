/**
 * One OpenAI-compatible chat-completions endpoint (Azure OpenAI, Foundry Local, Ollama, vLLM, llama.cpp),
 * through the `openai` client: a custom base URL (its query, such as `?api-version=`, is kept), the key as
 * Azure's `api-key` header or a bearer token, and the client's own retries of throttling and outages (honouring
 * `retry-after`). This module gathers the assistant's text and tool calls — streamed when asked, and read as JSON
 * when a server answers a streamed request with plain JSON — and turns the client's typed errors into
 * DatabotErrors that name the setting to fix.
 */
import { randomUUID } from "node:crypto";
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { Stream } from "openai/core/streaming";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from "openai/resources/chat/completions";
import type { Logger } from "../../../../core/logger";
import { type EndpointInfo, modelError } from "./model-errors";

export type ChatMessage = ChatCompletionMessageParam;
export type FunctionTool = ChatCompletionTool;

export interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

/** What one request produced, streamed or not. */
export interface AssistantTurn {
  content: string;
  toolCalls: ToolCall[];
  finishReason: string | null;
  /** The request's tokens, when the server reports them. */
  usage?: { inputTokens: number; outputTokens: number };
}

export interface RetryPolicy {
  /** Tries per request, the first included; the client waits between them as the server asks, or backs off. */
  attempts: number;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 4 };

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

/** `<base>/chat/completions`, keeping the base URL's query string: where the client sends the conversation. */
export function completionsUrl(baseUrl: string): URL {
  const url = new URL(baseUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/chat/completions`;
  return url;
}

export class ChatCompletionsClient {
  private readonly client: OpenAI;
  private readonly endpoint: EndpointInfo;

  constructor(private readonly options: ChatClientOptions) {
    const url = completionsUrl(options.baseUrl);
    this.endpoint = {
      url: `${url.origin}${url.pathname}`,
      host: url.host,
      model: options.model,
      hasKey: Boolean(options.apiKey),
    };
    const base = new URL(options.baseUrl);
    const defaultQuery = Object.fromEntries(base.searchParams);
    base.search = "";
    const apiKeyHeader = (options.keyHeader ?? keyHeaderFor(options.baseUrl)) === "api-key";
    this.client = new OpenAI({
      baseURL: base.href.replace(/\/+$/, ""),
      // The client insists on a key; servers without one (Ollama, llama.cpp) get no Authorization header at all.
      apiKey: options.apiKey ?? "unused",
      defaultHeaders:
        options.apiKey && apiKeyHeader
          ? { "api-key": options.apiKey, Authorization: null }
          : options.apiKey
            ? {}
            : { Authorization: null },
      ...(Object.keys(defaultQuery).length > 0 ? { defaultQuery } : {}),
      // Everything comes from databot's configuration, nothing from OPENAI_* variables.
      organization: null,
      project: null,
      maxRetries: Math.max(0, (options.retry?.attempts ?? DEFAULT_RETRY.attempts) - 1),
      timeout: options.requestTimeoutMs ?? 600_000,
      logLevel: "off",
    });
  }

  /** Sends the conversation and returns the assistant's turn. */
  async complete(messages: ChatMessage[], options: CompleteOptions = {}): Promise<AssistantTurn> {
    const stream = this.options.stream ?? true;
    const body = {
      model: this.options.model,
      messages,
      ...(options.tools && options.tools.length > 0
        ? { tools: options.tools, tool_choice: options.toolChoice ?? "auto" }
        : {}),
    };
    // The client's own timeout ends once the answer begins; a streamed answer must also end in time.
    const deadline = AbortSignal.timeout(this.options.requestTimeoutMs ?? 600_000);
    const controller = new AbortController();
    const signal = AbortSignal.any([
      deadline,
      controller.signal,
      ...(options.signal ? [options.signal] : []),
    ]);
    try {
      if (!stream) {
        return readCompletion(
          await this.client.chat.completions.create({ ...body, stream: false }, { signal }),
        );
      }
      const response = await this.client.chat.completions
        // Asked for, so the stream's last chunk carries the token counts (servers that do not know it omit them).
        .create({ ...body, stream: true, stream_options: { include_usage: true } }, { signal })
        .asResponse();
      if (!(response.headers.get("content-type") ?? "").includes("text/event-stream")) {
        return readCompletion((await response.json()) as ChatCompletion);
      }
      return await readChunks(
        Stream.fromSSEResponse<ChatCompletionChunk>(response, controller),
        options.onText,
      );
    } catch (error) {
      if (options.signal?.aborted) {
        throw options.signal.reason instanceof Error ? options.signal.reason : new Error("aborted");
      }
      if (deadline.aborted) throw modelError(new APIConnectionTimeoutError(), this.endpoint);
      if (error instanceof APIError && !(error instanceof APIUserAbortError)) {
        this.options.logger.warn(
          { status: error.status, connection: error instanceof APIConnectionError },
          "model endpoint request failed",
        );
      }
      throw modelError(error, this.endpoint);
    }
  }
}

function readCompletion(completion: ChatCompletion): AssistantTurn {
  const choice = completion.choices?.[0];
  if (!choice) throw new APIError(502, { message: "the answer had no choices" }, undefined, undefined);
  const calls = (choice.message.tool_calls ?? []).filter((call) => call.type === "function");
  return {
    content: choice.message.content ?? "",
    toolCalls: calls.map((call) => ({
      id: call.id || newCallId(),
      type: "function",
      function: {
        name: call.function.name,
        // Some servers send the arguments as an object rather than a JSON string.
        arguments:
          typeof call.function.arguments === "string"
            ? call.function.arguments
            : JSON.stringify(call.function.arguments),
      },
    })),
    finishReason: choice.finish_reason ?? null,
    ...usageOf(completion.usage),
  };
}

function usageOf(
  usage: { prompt_tokens?: number; completion_tokens?: number } | null | undefined,
): Pick<AssistantTurn, "usage"> {
  if (typeof usage?.prompt_tokens !== "number" || typeof usage.completion_tokens !== "number") return {};
  return { usage: { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens } };
}

async function readChunks(
  stream: AsyncIterable<ChatCompletionChunk>,
  onText: ((text: string) => void) | undefined,
): Promise<AssistantTurn> {
  let content = "";
  let finishReason: string | null = null;
  const calls: { id?: string; name: string; arguments: string }[] = [];
  let usage: Pick<AssistantTurn, "usage"> = {};
  for await (const chunk of stream) {
    if (chunk.usage) usage = usageOf(chunk.usage);
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
      id: c.id || newCallId(),
      type: "function",
      function: { name: c.name, arguments: c.arguments },
    }));
  return { content, toolCalls, finishReason, ...usage };
}

function newCallId(): string {
  return `call_${randomUUID().slice(0, 8)}`;
}
