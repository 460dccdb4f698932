/**
 * The model loop: an OpenAI-compatible model answers a question by calling a `python` tool that runs cells in
 * the sandbox session, as Code Interpreter does. Each cell's output (or its traceback) goes back to the model,
 * so failing code gets fixed and run again, up to `maxSteps` cells per question.
 */
import type { ModelConfig } from "../../../../config";
import type { Logger } from "../../../../core/logger";
import type { Analyst, AnalystInput, AnalystOutput, RanCell } from "../types";
import {
  type AssistantTurn,
  ChatCompletionsClient,
  type KeyHeader,
  type RetryPolicy,
  type ToolCall,
} from "./chat-client";
import { initialMessages, PYTHON_TOOL, PYTHON_TOOL_NAME, stepLimitMessage } from "./prompt";
import { formatCellResult } from "./tool-result";

export interface ModelAnalystOptions {
  /** Overrides the key header detected from the base URL. */
  keyHeader?: KeyHeader;
  /** Ask for streamed answers (default true). */
  stream?: boolean;
  retry?: Partial<RetryPolicy>;
  requestTimeoutMs?: number;
}

/** Creates the analyst that drives the configured model. */
export function createModelAnalyst(
  config: ModelConfig,
  logger: Logger,
  options: ModelAnalystOptions = {},
): Analyst {
  return new ModelAnalyst(config, logger, options);
}

class ModelAnalyst implements Analyst {
  readonly name: string;
  private readonly client: ChatCompletionsClient;

  constructor(
    private readonly config: ModelConfig,
    private readonly logger: Logger,
    options: ModelAnalystOptions = {},
  ) {
    this.name = `model:${config.model}`;
    this.client = new ChatCompletionsClient({
      baseUrl: config.baseUrl,
      apiKey: config.apiKey,
      model: config.model,
      keyHeader: options.keyHeader,
      stream: options.stream,
      retry: options.retry,
      requestTimeoutMs: options.requestTimeoutMs,
      logger,
    });
  }

  async answer(input: AnalystInput): Promise<AnalystOutput> {
    const messages = initialMessages(input);
    const cells: RanCell[] = [];
    let steps = 0;
    let lastCommentary = "";
    const usage = { inputTokens: 0, outputTokens: 0 };
    let reported = false;
    // Each round either runs tool calls or ends with the answer; calls beyond the budget end the loop.
    for (;;) {
      input.signal?.throwIfAborted();
      const budgetLeft = steps < this.config.maxSteps;
      if (!budgetLeft) messages.push(stepLimitMessage(this.config.maxSteps));
      input.onProgress({ kind: "thinking" });
      const turn = await this.client.complete(messages, {
        tools: [PYTHON_TOOL],
        toolChoice: budgetLeft ? "auto" : "none",
        signal: input.signal,
        onText: (text) => input.onProgress({ kind: "text", text }),
      });
      if (turn.content.trim() !== "") lastCommentary = turn.content;
      if (turn.usage) {
        reported = true;
        usage.inputTokens += turn.usage.inputTokens;
        usage.outputTokens += turn.usage.outputTokens;
      }
      if (turn.toolCalls.length === 0 || !budgetLeft) {
        return { text: finalText(turn, cells.length, lastCommentary), cells, ...(reported ? { usage } : {}) };
      }
      messages.push({ role: "assistant", content: turn.content || null, tool_calls: turn.toolCalls });
      for (const call of turn.toolCalls) {
        const content =
          steps < this.config.maxSteps
            ? await this.runToolCall(call, input, cells)
            : "Not run: the limit of code runs for this question was reached.";
        steps += 1;
        messages.push({ role: "tool", tool_call_id: call.id, content });
      }
    }
  }

  /** Runs one tool call and returns the tool message text; bad calls get an explanation the model can act on. */
  private async runToolCall(call: ToolCall, input: AnalystInput, cells: RanCell[]): Promise<string> {
    if (call.function.name !== PYTHON_TOOL_NAME) {
      return `Error: there is no tool named "${call.function.name}". The only tool is "${PYTHON_TOOL_NAME}".`;
    }
    const code = codeFrom(call.function.arguments);
    if (code === undefined) {
      return 'Error: the arguments were not JSON of the form {"code": "<python code>"}. Call python again with valid JSON.';
    }
    input.onProgress({ kind: "running_code", code });
    const result = await input.session.run(code, input.signal);
    cells.push({ code, result });
    this.logger.debug(
      {
        step: cells.length,
        failed: Boolean(result.error || result.limit),
        images: result.images.length,
        files: result.files.length,
      },
      "model cell ran",
    );
    return formatCellResult(result);
  }
}

/** The code from a python tool call's arguments: `{"code": ...}`, or the only string argument given. */
export function codeFrom(argumentsJson: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(argumentsJson);
  } catch {
    return undefined;
  }
  if (typeof parsed === "string") return parsed.trim() === "" ? undefined : parsed;
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const record = parsed as Record<string, unknown>;
  const code =
    typeof record.code === "string" ? record.code : Object.values(record).find((v) => typeof v === "string");
  return typeof code === "string" && code.trim() !== "" ? code : undefined;
}

function finalText(turn: AssistantTurn, cellsRun: number, lastCommentary: string): string {
  if (turn.finishReason === "content_filter") {
    return "The model's content filter stopped this answer. Try rephrasing the question.";
  }
  let text = cleanSandboxLinks(turn.content.trim() || lastCommentary.trim());
  if (text === "") {
    text =
      cellsRun > 0
        ? `I ran ${cellsRun} code cell${cellsRun === 1 ? "" : "s"} but the model gave no written answer. The code and its output are under "Show code".`
        : "The model gave no answer. Try asking again, perhaps more specifically.";
  }
  if (turn.finishReason === "length") text += "\n\n*(The answer was cut off at the model's length limit.)*";
  return text;
}

/**
 * Models trained on Code Interpreter write `[name](sandbox:/mnt/data/name)` and embed images; databot attaches
 * files and charts itself, so links become plain file names and image embeds are dropped.
 */
export function cleanSandboxLinks(text: string): string {
  return text
    .replace(/!\[[^\]]*\]\((?:sandbox:)?\/mnt\/data\/[^)]*\)/g, "")
    .replace(/\[([^\]]*)\]\((?:sandbox:)?\/mnt\/data\/([^)]*)\)/g, (_m, label: string, name: string) =>
      label.trim() === "" || label.includes(name) ? `**${name}**` : `${label} (**${name}**)`,
    )
    .replace(/sandbox:\/mnt\/data\//g, "")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
