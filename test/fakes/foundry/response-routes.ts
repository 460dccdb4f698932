/**
 * The Responses routes: create (an agent reference or a model; a conversation; the code-interpreter tool with a
 * container id or `auto`), streamed as SSE or answered as JSON, in the background or not; retrieve (with
 * `stream=true&starting_after=n` replaying a background response's events); cancel. What the service refuses
 * is refused here too: an unknown agent, conversation or container, an expired container, a busy conversation.
 */
import type http from "node:http";
import type { ResponseEngine } from "./response-engine";
import { OPENAI_PREFIX, toItem } from "./openai-routes";
import { route, type Route, type RouteContext, WRITTEN } from "./route";
import {
  ENDED,
  type FakeResponse,
  type ResponsesState,
  type StreamEvent,
  type WireResponse,
} from "./responses-state";
import type { FakeTurn, TurnContext } from "./script";
import { ApiError, type JsonObject, newId } from "./wire";

const INCLUDABLE = new Set([
  "code_interpreter_call.outputs",
  "file_search_call.results",
  "web_search_call.results",
  "web_search_call.action.sources",
  "message.input_image.image_url",
  "computer_call_output.output.image_url",
  "reasoning.encrypted_content",
  "message.output_text.logprobs",
]);

export interface ResponseRouteDeps {
  state: ResponsesState;
  engine: ResponseEngine;
  turnFor(context: TurnContext): FakeTurn;
  track(done: Promise<void>): void;
}

function checkInclude(values: unknown): string[] {
  const list = values === undefined || values === null ? [] : Array.isArray(values) ? values : [values];
  for (const value of list) {
    if (!INCLUDABLE.has(value as string)) {
      throw new ApiError(
        400,
        `Invalid value for 'include': '${String(value)}'.`,
        "invalid_request_error",
        "include",
      );
    }
  }
  return list as string[];
}

/** Code-interpreter outputs are sent only to clients that asked for them. */
function shaped<T>(value: T, include: readonly string[]): T {
  if (include.includes("code_interpreter_call.outputs")) return value;
  return JSON.parse(JSON.stringify(value), (key, v: unknown) =>
    v && typeof v === "object" && (v as JsonObject).type === "code_interpreter_call"
      ? { ...(v as JsonObject), outputs: null }
      : v,
  ) as T;
}

/** Streams a response's events after `after` (all when undefined), then the live ones until it ends. */
function streamEvents(
  res: http.ServerResponse,
  response: FakeResponse,
  include: readonly string[],
  after: number | undefined,
  breakAfterEvents?: number,
): void {
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
  let written = 0;
  let open = true;
  const stop = () => {
    open = false;
    response.listeners.delete(listener);
  };
  const send = (event: StreamEvent) => {
    if (!open || (after !== undefined && event.sequence_number <= after)) return;
    res.write(`event: ${event.type}\ndata: ${JSON.stringify(shaped(event, include))}\n\n`);
    written += 1;
    if (breakAfterEvents !== undefined && written >= breakAfterEvents) {
      stop();
      res.destroy(); // the connection drops; the background response goes on
    }
  };
  const listener = (event: StreamEvent | undefined) => {
    if (event) return send(event);
    stop();
    res.end();
  };
  res.on("close", stop);
  for (const event of [...response.events]) send(event);
  if (!open) return;
  if (response.ended) {
    stop();
    res.end();
    return;
  }
  response.listeners.add(listener);
}

export function responseRoutes(deps: ResponseRouteDeps): Route[] {
  const { state } = deps;
  const p = OPENAI_PREFIX;
  return [
    route("POST", `${p}/responses`, async (ctx) => create(deps, ctx)),
    route("GET", `${p}/responses/{id}`, async (ctx) => {
      const response = state.response(ctx.params[0]!);
      const include = checkInclude([...ctx.query.getAll("include"), ...ctx.query.getAll("include[]")]);
      if (ctx.query.get("stream") === "true") {
        if (!response.body.background) {
          throw new ApiError(
            400,
            "Only background responses can be streamed again.",
            "invalid_request_error",
            "stream",
          );
        }
        const raw = ctx.query.get("starting_after");
        const after = raw === null ? undefined : Number(raw);
        if (after !== undefined && !Number.isInteger(after)) {
          throw new ApiError(
            400,
            "Invalid 'starting_after': integer expected.",
            "invalid_request_error",
            "starting_after",
          );
        }
        streamEvents(ctx.res, response, include, after);
        return WRITTEN;
      }
      return shaped(response.body, include);
    }),
    route("POST", `${p}/responses/{id}/cancel`, async (ctx) => {
      const response = state.response(ctx.params[0]!);
      if (!response.body.background) {
        throw new ApiError(400, "Only background responses can be cancelled.", "invalid_request_error", null);
      }
      if (ENDED.has(response.body.status) && response.body.status !== "cancelled") {
        throw new ApiError(
          400,
          `Cannot cancel a response with status '${response.body.status}'.`,
          "invalid_request_error",
          null,
        );
      }
      deps.engine.cancel(response);
      return response.body;
    }),
    route("DELETE", `${p}/responses/{id}`, async (ctx) => {
      state.response(ctx.params[0]!);
      state.responses.delete(ctx.params[0]!);
      return { id: ctx.params[0], object: "response.deleted", deleted: true };
    }),
  ];
}

/**
 * The agent definition's tools with `{{name}}` templates replaced by the response's structured inputs; a
 * required input that is missing is refused, as the service does.
 */
function fillStructuredInputs(definition: JsonObject, given: JsonObject | undefined): JsonObject[] {
  const declared = (definition.structured_inputs as Record<string, JsonObject> | undefined) ?? {};
  for (const [name, input] of Object.entries(declared)) {
    if (input.required === true && given?.[name] === undefined && input.default_value === undefined) {
      throw new ApiError(
        400,
        `Missing required structured input: '${name}'.`,
        "invalid_request_error",
        `structured_inputs.${name}`,
      );
    }
  }
  const fill = (value: unknown): unknown => {
    const template = typeof value === "string" ? /^\{\{(\w+)\}\}$/.exec(value) : null;
    if (!template) return value;
    return given?.[template[1]!] ?? declared[template[1]!]?.default_value ?? value;
  };
  return ((definition.tools as JsonObject[] | undefined) ?? []).map((tool) => ({
    ...tool,
    ...(tool.container !== undefined ? { container: fill(tool.container) as JsonObject } : {}),
  }));
}

async function create(deps: ResponseRouteDeps, ctx: RouteContext): Promise<unknown> {
  const { state } = deps;
  const body = await ctx.body();
  if (body.agent !== undefined) {
    throw new ApiError(
      400,
      "The 'agent' property is deprecated; use 'agent_reference'.",
      "invalid_request_error",
      "agent",
    );
  }
  const reference = body.agent_reference as JsonObject | undefined;
  let definition: JsonObject = {};
  if (reference) {
    if (reference.type !== "agent_reference" || typeof reference.name !== "string") {
      throw new ApiError(400, "Invalid 'agent_reference'.", "invalid_request_error", "agent_reference");
    }
    const agent = state.agent(reference.name);
    const version =
      typeof reference.version === "string"
        ? state.agentVersion(agent.name, reference.version)
        : agent.versions[agent.versions.length - 1]!;
    definition = version.definition;
  } else if (typeof body.model !== "string") {
    throw new ApiError(400, "Missing required parameter: 'model'.", "invalid_request_error", "model");
  }
  const include = checkInclude(body.include);
  const background = body.background === true;
  if (background && body.store === false) {
    throw new ApiError(
      400,
      "Background responses must be stored (store=true).",
      "invalid_request_error",
      "store",
    );
  }
  const conversationId =
    typeof body.conversation === "string"
      ? body.conversation
      : ((body.conversation as JsonObject | undefined)?.id as string | undefined);
  const conversation = conversationId ? state.conversation(conversationId) : undefined;
  if (reference && body.tools !== undefined) {
    // An agent's tools are part of its version; a response cannot replace them.
    throw new ApiError(
      400,
      "Not allowed when agent is specified: 'tools'. Configure the agent's tools in its definition.",
      "invalid_request_error",
      "tools",
    );
  }
  const tools = reference
    ? fillStructuredInputs(definition, body.structured_inputs as JsonObject | undefined)
    : ((body.tools as JsonObject[] | undefined) ?? []);
  let containerId: string | undefined;
  for (const [i, tool] of tools.entries()) {
    if (tool.type !== "code_interpreter") continue;
    if (typeof tool.container === "string") {
      containerId = state.liveContainer(tool.container, `tools[${i}].container`).info.id;
    } else if ((tool.container as JsonObject | undefined)?.type === "auto") {
      containerId = state.createContainer(`auto-${newId("", 8)}`, 20).info.id;
    } else {
      throw new ApiError(
        400,
        `Missing required parameter: 'tools[${i}].container'.`,
        "invalid_request_error",
        `tools[${i}].container`,
      );
    }
  }
  if (conversation) state.assertFree(conversation);
  const input =
    typeof body.input === "string"
      ? body.input === ""
        ? []
        : [{ role: "user", content: body.input }]
      : (body.input ?? []);
  if (!Array.isArray(input)) throw new ApiError(400, "Invalid 'input'.", "invalid_request_error", "input");
  if (conversation) conversation.items.push(...input.map(toItem));

  const wire: WireResponse = {
    id: newId("resp_", 48),
    object: "response",
    created_at: state.now(),
    status: "queued",
    background,
    error: null,
    incomplete_details: null,
    instructions:
      (body.instructions as string | undefined) ?? (definition.instructions as string | undefined) ?? null,
    metadata: (body.metadata as JsonObject | undefined) ?? {},
    model: (body.model as string | undefined) ?? (definition.model as string | undefined) ?? "",
    output: [],
    parallel_tool_calls: true,
    temperature: 1,
    tool_choice: "auto",
    tools,
    top_p: 1,
    conversation: conversation ? { id: conversation.info.id } : null,
    store: true,
    text: { format: { type: "text" } },
    truncation: "disabled",
    usage: null,
    ...(reference ? { agent_reference: reference } : {}),
  };
  const response: FakeResponse = {
    body: wire,
    request: body,
    conversationId: conversation?.info.id,
    containerId,
    events: [],
    listeners: new Set(),
    ended: false,
    cancelRequested: false,
  };
  state.responses.set(wire.id, response);
  if (conversation) conversation.busyWith = wire.id;
  const turn = deps.turnFor(turnContext(state, response));
  // Subscribe before playing, so a streaming client sees the very first event.
  if (body.stream === true && !ctx.responseLost)
    streamEvents(ctx.res, response, include, undefined, turn.breakStreamAfterEvents);
  const played = deps.engine.play(response, turn);
  deps.track(played);
  if (body.stream === true && !ctx.responseLost) return WRITTEN;
  if (!background) await played;
  return shaped(response.body, include);
}

/** What the model sees: the conversation's newest user message and the user files in its container. */
function turnContext(state: ResponsesState, response: FakeResponse): TurnContext {
  const items = response.conversationId ? state.conversation(response.conversationId).items : [];
  const lastUser = [...items].reverse().find((item) => item.type === "message" && item.role === "user");
  const question = ((lastUser?.content as JsonObject[] | undefined) ?? [])
    .map((c) => String(c.text ?? ""))
    .join("\n");
  const container = response.containerId ? state.containers.get(response.containerId) : undefined;
  const files = (container?.files ?? [])
    .filter((f) => f.info.source === "user")
    .map((f) => ({
      id: f.fileId ?? f.info.id,
      name: f.info.path.split("/").pop() ?? f.info.path,
      content: f.content,
    }));
  return { threadId: response.conversationId ?? response.body.id, question, files };
}
