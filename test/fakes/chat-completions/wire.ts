/**
 * Builds chat-completions responses exactly as OpenAI-compatible servers send them: `chat.completion` objects,
 * `chat.completion.chunk` SSE events (tool call arguments split across chunks, `data: [DONE]` at the end) and
 * the `{error: {message, type, param, code}}` envelope.
 */
import { randomUUID } from "node:crypto";

export interface ScriptedToolCall {
  name?: string;
  /** A JSON string, or an object to serialise. */
  arguments: string | Record<string, unknown>;
  id?: string;
}

export interface AnswerSpec {
  content?: string;
  /** Streamed: send the first pieces, then nothing more (a model server that hangs mid-answer). */
  stall?: boolean;
  toolCalls?: ScriptedToolCall[];
  finishReason?: "stop" | "length" | "tool_calls" | "content_filter";
}

export interface WireToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export function errorEnvelope(
  message: string,
  type = "invalid_request_error",
  code: string | null = null,
  param: string | null = null,
) {
  return { error: { message, type, param, code } };
}

function toolCallsOf(spec: AnswerSpec): WireToolCall[] {
  return (spec.toolCalls ?? []).map((call) => ({
    id: call.id ?? `call_${randomUUID().replace(/-/g, "").slice(0, 24)}`,
    type: "function",
    function: {
      name: call.name ?? "python",
      arguments: typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments),
    },
  }));
}

function finishOf(spec: AnswerSpec, calls: WireToolCall[]): string {
  return spec.finishReason ?? (calls.length > 0 ? "tool_calls" : "stop");
}

/** A whole `chat.completion` response body. */
export function completion(model: string, spec: AnswerSpec) {
  const calls = toolCallsOf(spec);
  const content = spec.content ?? (calls.length > 0 ? null : "");
  return {
    id: `chatcmpl-${randomUUID().slice(0, 12)}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    system_fingerprint: "fp_fake",
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content,
          ...(calls.length > 0 ? { tool_calls: calls } : {}),
          refusal: null,
        },
        logprobs: null,
        finish_reason: finishOf(spec, calls),
      },
    ],
    usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
  };
}

/**
 * The SSE `data:` payloads of a streamed answer. With `azureStyle`, the stream opens with a chunk that has no
 * choices (Azure OpenAI's prompt filter results).
 */
export function chunks(
  model: string,
  spec: AnswerSpec,
  options: { azureStyle?: boolean; includeUsage?: boolean } = {},
): string[] {
  const id = `chatcmpl-${randomUUID().slice(0, 12)}`;
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) =>
    JSON.stringify({
      id,
      object: "chat.completion.chunk",
      created,
      model,
      system_fingerprint: "fp_fake",
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    });
  const out: string[] = [];
  if (options.azureStyle) {
    out.push(
      JSON.stringify({ id: "", object: "", created: 0, model: "", choices: [], prompt_filter_results: [] }),
    );
  }
  out.push(chunk({ role: "assistant", content: "", refusal: null }));
  for (const piece of split(spec.content ?? "", 7)) out.push(chunk({ content: piece }));
  const calls = toolCallsOf(spec);
  calls.forEach((call, index) => {
    out.push(
      chunk({
        tool_calls: [
          { index, id: call.id, type: "function", function: { name: call.function.name, arguments: "" } },
        ],
      }),
    );
    for (const piece of split(call.function.arguments, 11)) {
      out.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  });
  out.push(chunk({}, finishOf(spec, calls)));
  // With `stream_options.include_usage`, OpenAI ends with a chunk of no choices that carries the token counts.
  if (options.includeUsage) {
    out.push(
      JSON.stringify({
        id,
        object: "chat.completion.chunk",
        created,
        model,
        choices: [],
        usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
      }),
    );
  }
  out.push("[DONE]");
  return out;
}

function split(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces;
}
