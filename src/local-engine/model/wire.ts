/**
 * The OpenAI chat-completions wire format, as far as databot uses it. Azure OpenAI, Foundry Local, Ollama, vLLM
 * and llama.cpp's server all speak it at `<base>/chat/completions`.
 */

export interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export type ChatMessage =
  | { role: "system"; content: string }
  | { role: "user"; content: string }
  | { role: "assistant"; content: string | null; tool_calls?: ToolCall[] }
  | { role: "tool"; tool_call_id: string; content: string };

export interface FunctionTool {
  type: "function";
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  tools?: FunctionTool[];
  tool_choice?: "auto" | "none";
  stream?: boolean;
  temperature?: number;
}

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "function_call" | null;

/** A non-streamed response (`object: "chat.completion"`). */
export interface ChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: {
    index: number;
    message: { role: "assistant"; content: string | null; tool_calls?: ToolCall[] };
    finish_reason: FinishReason;
  }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

/** One streamed event (`object: "chat.completion.chunk"`). Tool calls arrive in pieces keyed by `index`. */
export interface ChatCompletionChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: {
    index: number;
    delta: {
      role?: "assistant";
      content?: string | null;
      tool_calls?: {
        index: number;
        id?: string;
        type?: "function";
        function?: { name?: string; arguments?: string };
      }[];
    };
    finish_reason: FinishReason;
  }[];
}

/** The error envelope: `{error: {message, type, param, code}}` (some servers send a bare string). */
export interface ErrorEnvelope {
  error: { message?: string; type?: string; param?: string | null; code?: string | number | null } | string;
}

/** What one request produced, streamed or not. */
export interface AssistantTurn {
  content: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
}
