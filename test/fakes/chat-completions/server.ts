/**
 * A fake OpenAI-compatible chat-completions server on 127.0.0.1 that answers from a script. It checks what a
 * real one checks — the key (Bearer or Azure's `api-key`), the model, and that every assistant tool call is
 * answered by a tool message — and answers with the real envelopes, streamed as SSE when `stream: true`.
 * Every request is recorded, so tests assert on what databot sent.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { chunks, completion, errorEnvelope, type AnswerSpec } from "./wire";

/** What the server received. */
export interface ReceivedRequest {
  method: string;
  path: string;
  /** The query string's parameters (an `api-version`, for example). */
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: ChatBody;
}

export interface ChatBody {
  model: string;
  messages: { role: string; content: string | null; tool_calls?: { id: string }[]; tool_call_id?: string }[];
  tools?: { type: string; function: { name: string } }[];
  tool_choice?: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
}

/** A failure to answer with: status, envelope and headers (e.g. `retry-after-ms`). */
export interface FaultSpec {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type ScriptStep =
  AnswerSpec | { fault: FaultSpec } | ((request: ReceivedRequest) => AnswerSpec | { fault: FaultSpec });

export interface FakeChatOptions {
  /** The key expected; unset accepts any request (like Ollama). */
  apiKey?: string;
  /** Where the key is expected: `Authorization: Bearer` (OpenAI) or `api-key` (Azure). */
  keyHeader?: "bearer" | "api-key";
  /** Models it serves. */
  models?: string[];
  /** Open streams with a choice-less chunk, as Azure OpenAI does. */
  azureStyle?: boolean;
  /** Write streamed answers a few bytes at a time, as a slow proxy delivers them. */
  writeBytesAtATime?: number;
  /** Line ends of the event stream (`\r\n` is as valid as `\n`). */
  lineEnd?: "\n" | "\r\n";
  /** Answer even `stream: true` requests with one JSON completion, as some servers do. */
  neverStream?: boolean;
}

export class FakeChatCompletions {
  readonly requests: ReceivedRequest[] = [];
  private readonly script: ScriptStep[] = [];
  private server?: http.Server;
  private port = 0;

  constructor(private readonly options: FakeChatOptions = {}) {}

  /** The base URL to configure (`MODEL_BASE_URL`). */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  /** Requests to `/v1/chat/completions`, in order. */
  get chatRequests(): ReceivedRequest[] {
    return this.requests.filter((r) => r.path === "/v1/chat/completions");
  }

  /** Queues the next answers. */
  enqueue(...steps: ScriptStep[]): this {
    this.script.push(...steps);
    return this;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const path = url.pathname;
    const models = this.options.models ?? ["gpt-4o-mini"];
    if (!this.authorized(req)) {
      return send(
        res,
        401,
        errorEnvelope(
          "Incorrect API key provided. You can find your API key in your account settings.",
          "invalid_request_error",
          "invalid_api_key",
        ),
      );
    }
    if (req.method === "GET" && path === "/v1/models") {
      return send(res, 200, {
        object: "list",
        data: models.map((id) => ({ id, object: "model", created: 1700000000, owned_by: "databot-tests" })),
      });
    }
    if (req.method !== "POST" || path !== "/v1/chat/completions") {
      return send(res, 404, errorEnvelope(`Invalid URL (${req.method} ${path})`));
    }
    let body: ChatBody;
    try {
      body = JSON.parse(raw) as ChatBody;
    } catch {
      return send(res, 400, errorEnvelope("We could not parse the JSON body of your request."));
    }
    const request: ReceivedRequest = {
      method: req.method,
      path,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
    };
    this.requests.push(request);
    if (!models.includes(body.model)) {
      return send(
        res,
        404,
        errorEnvelope(
          `The model \`${body.model}\` does not exist or you do not have access to it.`,
          "invalid_request_error",
          "model_not_found",
        ),
      );
    }
    const invalid = validateMessages(body);
    if (invalid) return send(res, 400, errorEnvelope(invalid, "invalid_request_error", null, "messages"));

    const next = this.script.shift();
    if (!next) return send(res, 400, errorEnvelope("fake chat server: no scripted answer left"));
    const step = typeof next === "function" ? next(request) : next;
    if ("fault" in step) {
      res.writeHead(step.fault.status, { "content-type": "application/json", ...step.fault.headers });
      res.end(JSON.stringify(step.fault.body ?? errorEnvelope("The server had an error.", "server_error")));
      return;
    }
    if (body.stream && !this.options.neverStream) {
      res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
      const end = this.options.lineEnd ?? "\n";
      const events = chunks(body.model, step, {
        azureStyle: this.options.azureStyle,
        includeUsage: body.stream_options?.include_usage === true,
      });
      const text = (step.stall ? events.slice(0, 3) : events)
        .map((data) => `data: ${data}${end}${end}`)
        .join("");
      if (step.stall) return void res.write(text); // and the answer never ends
      const size = this.options.writeBytesAtATime;
      if (!size) return void res.end(text);
      const bytes = Buffer.from(text);
      for (let i = 0; i < bytes.length; i += size) {
        res.write(bytes.subarray(i, i + size));
        await new Promise((resolve) => setImmediate(resolve));
      }
      res.end();
      return;
    }
    send(res, 200, completion(body.model, step));
  }

  private authorized(req: http.IncomingMessage): boolean {
    const key = this.options.apiKey;
    if (!key) return true;
    if (this.options.keyHeader === "api-key") return req.headers["api-key"] === key;
    return req.headers.authorization === `Bearer ${key}`;
  }
}

/** OpenAI's own checks on the conversation (with its wording). */
function validateMessages(body: ChatBody): string | undefined {
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return "[] is too short - 'messages'";
  }
  for (let i = 0; i < body.messages.length; i++) {
    const message = body.messages[i]!;
    if (message.role === "tool") {
      const owner = [...body.messages.slice(0, i)].reverse().find((m) => m.role !== "tool");
      if (!owner?.tool_calls?.some((c) => c.id === message.tool_call_id)) {
        return "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.";
      }
    }
    if (message.role === "assistant" && message.tool_calls && message.tool_calls.length > 0) {
      const answered = new Set<string>();
      for (const next of body.messages.slice(i + 1)) {
        if (next.role !== "tool") break;
        answered.add(next.tool_call_id ?? "");
      }
      const missing = message.tool_calls.filter((c) => !answered.has(c.id)).map((c) => c.id);
      if (missing.length > 0) {
        return (
          "An assistant message with 'tool_calls' must be followed by tool messages responding to each " +
          `'tool_call_id'. The following tool_call_ids did not have response messages: ${missing.join(", ")}`
        );
      }
    }
  }
  return undefined;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on("data", (chunk: Buffer) => parts.push(chunk));
    req.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
