/** The model loop: an OpenAI-compatible chat-completions model driving the sandbox through a python tool. */
export { createModelAnalyst, ModelAnalyst, type ModelAnalystOptions } from "./model-analyst";
export {
  ChatCompletionsClient,
  completionsUrl,
  keyHeaderFor,
  DEFAULT_RETRY,
  type KeyHeader,
  type RetryPolicy,
} from "./chat-client";
export { SYSTEM_PROMPT, PYTHON_TOOL } from "./prompt";
