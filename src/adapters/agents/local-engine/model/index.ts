/** The model loop: an OpenAI-compatible chat-completions model driving the sandbox through a python tool. */
export { createModelAnalyst, type ModelAnalystOptions } from "./model-analyst";
