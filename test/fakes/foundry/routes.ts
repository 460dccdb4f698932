/**
 * The Foundry Agents data-plane v1 operations the fake serves: assistants, threads, messages, runs (with the SSE
 * stream), run steps and files. Handlers return the JSON body, or write the response themselves (streams, file
 * content) and return `WRITTEN`.
 */
import type http from "node:http";
import { route, type Route, type RouteDeps, WRITTEN } from "./route";
import type { RunListener } from "./run-engine";
import { ACTIVE_STATUSES, type FakeState, type WireObject, type WireRun } from "./state";
import { fileRoutes } from "./file-routes";
import { ApiError, type JsonObject, newId, nowSeconds, page } from "./wire";

const MAX_CODE_INTERPRETER_FILES = 20;

function checkToolResources(resources: unknown): JsonObject {
  const ci = (resources as { code_interpreter?: { file_ids?: unknown[] } } | null)?.code_interpreter;
  if ((ci?.file_ids?.length ?? 0) > MAX_CODE_INTERPRETER_FILES) {
    throw new ApiError(
      400,
      `Invalid 'tool_resources.code_interpreter.file_ids': array too long. Expected an array with maximum length ${MAX_CODE_INTERPRETER_FILES}.`,
      undefined,
      "tool_resources.code_interpreter.file_ids",
    );
  }
  return (resources as JsonObject | null) ?? {};
}

function messageContent(content: unknown): JsonObject[] {
  if (typeof content === "string") return [{ type: "text", text: { value: content, annotations: [] } }];
  if (Array.isArray(content)) {
    return content.map((block: JsonObject) =>
      block.type === "text"
        ? { type: "text", text: { value: String(block.text ?? ""), annotations: [] } }
        : block,
    );
  }
  throw new ApiError(
    400,
    "Invalid 'content': expected a string or an array of content blocks.",
    undefined,
    "content",
  );
}

function agentRoutes({ state }: RouteDeps): Route[] {
  const fill = (agent: WireObject, body: JsonObject) => {
    for (const key of [
      "name",
      "description",
      "model",
      "instructions",
      "tools",
      "temperature",
      "top_p",
      "metadata",
    ]) {
      if (body[key] !== undefined) agent[key] = body[key];
    }
    if (body.tool_resources !== undefined) agent.tool_resources = checkToolResources(body.tool_resources);
    return agent;
  };
  return [
    route("GET", "/assistants", async (ctx) => page([...state.agents.values()], ctx.query)),
    route("POST", "/assistants", async (ctx) => {
      const body = await ctx.body();
      if (typeof body.model !== "string" || body.model === "") {
        throw new ApiError(400, "Missing required parameter: 'model'.", undefined, "model");
      }
      const agent = fill(
        {
          id: newId("asst_"),
          object: "assistant",
          created_at: nowSeconds(),
          name: null,
          description: null,
          instructions: null,
          tools: [],
          tool_resources: {},
          temperature: 1,
          top_p: 1,
          response_format: "auto",
          metadata: {},
        },
        body,
      );
      state.agents.set(agent.id, agent);
      return agent;
    }),
    route("GET", "/assistants/{id}", async (ctx) => state.agent(ctx.params[0]!)),
    route("POST", "/assistants/{id}", async (ctx) => fill(state.agent(ctx.params[0]!), await ctx.body())),
    route("DELETE", "/assistants/{id}", async (ctx) => {
      state.agent(ctx.params[0]!);
      state.agents.delete(ctx.params[0]!);
      return { id: ctx.params[0], object: "assistant.deleted", deleted: true };
    }),
  ];
}

function threadRoutes({ state }: RouteDeps): Route[] {
  return [
    route("GET", "/threads", async (ctx) => page([...state.threads.values()], ctx.query)),
    route("POST", "/threads", async (ctx) => {
      const body = await ctx.body();
      const thread = state.createThread(
        (body.metadata as JsonObject) ?? null,
        checkToolResources(body.tool_resources ?? null),
      );
      for (const m of (body.messages as JsonObject[] | undefined) ?? []) {
        state.addMessage(thread.id, { role: m.role ?? "user", content: messageContent(m.content) });
      }
      return thread;
    }),
    route("GET", "/threads/{id}", async (ctx) => state.thread(ctx.params[0]!)),
    route("POST", "/threads/{id}", async (ctx) => {
      const thread = state.thread(ctx.params[0]!);
      const body = await ctx.body();
      if (body.metadata !== undefined) thread.metadata = body.metadata;
      if (body.tool_resources !== undefined) thread.tool_resources = checkToolResources(body.tool_resources);
      return thread;
    }),
    route("DELETE", "/threads/{id}", async (ctx) => {
      state.deleteThread(ctx.params[0]!);
      return { id: ctx.params[0], object: "thread.deleted", deleted: true };
    }),
    route("GET", "/threads/{id}/messages", async (ctx) => {
      state.thread(ctx.params[0]!);
      const runId = ctx.query.get("run_id");
      const all = state.messages.get(ctx.params[0]!) ?? [];
      return page(runId ? all.filter((m) => m.run_id === runId) : all, ctx.query);
    }),
    route("POST", "/threads/{id}/messages", async (ctx) => {
      const body = await ctx.body();
      if (body.role !== "user" && body.role !== "assistant") {
        throw new ApiError(400, "Invalid 'role': expected 'user' or 'assistant'.", undefined, "role");
      }
      const attachments = (body.attachments as JsonObject[] | null | undefined) ?? [];
      for (const [i, a] of attachments.entries()) {
        if (typeof a.file_id !== "string" || !state.files.has(a.file_id)) {
          throw new ApiError(
            400,
            `Invalid 'attachments[${i}].file_id': file not found.`,
            undefined,
            `attachments[${i}].file_id`,
          );
        }
      }
      return state.addMessage(ctx.params[0]!, {
        role: body.role,
        content: messageContent(body.content),
        attachments,
        metadata: body.metadata ?? {},
      });
    }),
    route("GET", "/threads/{id}/messages/{id}", async (ctx) => {
      state.thread(ctx.params[0]!);
      const message = state.messages.get(ctx.params[0]!)?.find((m) => m.id === ctx.params[1]);
      if (!message) throw new ApiError(404, `No message found with id '${ctx.params[1]}'.`);
      return message;
    }),
  ];
}

/** Writes run events as server-sent events, then `event: done` / `data: [DONE]`; optionally drops the line. */
function sseListener(res: http.ServerResponse, breakAfter?: number): RunListener {
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
  const open = () => !res.writableEnded && !res.destroyed;
  let sent = 0;
  return {
    event(name, data) {
      if (!open()) return;
      if (breakAfter !== undefined && sent >= breakAfter) return void res.socket?.destroy();
      res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
      sent += 1;
    },
    end() {
      if (open()) res.end("event: done\ndata: [DONE]\n\n");
    },
  };
}

function runRoutes(deps: RouteDeps): Route[] {
  const { state, engine } = deps;
  return [
    route("GET", "/threads/{id}/runs", async (ctx) => {
      state.thread(ctx.params[0]!);
      return page(state.runs.get(ctx.params[0]!) ?? [], ctx.query);
    }),
    route("POST", "/threads/{id}/runs", async (ctx) => {
      const threadId = ctx.params[0]!;
      const body = await ctx.body();
      state.thread(threadId);
      if (typeof body.assistant_id !== "string") {
        throw new ApiError(400, "Missing required parameter: 'assistant_id'.", undefined, "assistant_id");
      }
      const agent = state.agent(body.assistant_id);
      const active = state.activeRun(threadId);
      if (active) throw new ApiError(400, `Thread ${threadId} already has an active run ${active.id}.`);
      const now = nowSeconds();
      const run: WireRun = {
        id: newId("run_"),
        object: "thread.run",
        thread_id: threadId,
        assistant_id: agent.id,
        status: "queued",
        last_error: null,
        model: (body.model as string) ?? agent.model,
        instructions: (body.instructions as string) ?? agent.instructions ?? "",
        tools: (body.tools as unknown[]) ?? agent.tools,
        created_at: now,
        expires_at: now + 600,
        started_at: null,
        completed_at: null,
        cancelled_at: null,
        failed_at: null,
        incomplete_details: null,
        usage: null,
        temperature: body.temperature ?? agent.temperature ?? 1,
        top_p: body.top_p ?? agent.top_p ?? 1,
        max_prompt_tokens: body.max_prompt_tokens ?? null,
        max_completion_tokens: body.max_completion_tokens ?? null,
        truncation_strategy: { type: "auto", last_messages: null },
        tool_choice: body.tool_choice ?? "auto",
        response_format: body.response_format ?? "auto",
        metadata: (body.metadata as JsonObject) ?? {},
        tool_resources: {},
        parallel_tool_calls: body.parallel_tool_calls ?? true,
      };
      state.runs.get(threadId)!.push(run);
      const turn = deps.turnFor(threadId);
      if (body.stream === true && !ctx.responseLost) {
        deps.track(engine.play(run, turn, sseListener(ctx.res, turn.breakStreamAfterEvents)));
        return WRITTEN;
      }
      deps.track(engine.play(run, turn));
      return run;
    }),
    route("GET", "/threads/{id}/runs/{id}", async (ctx) => state.run(ctx.params[0]!, ctx.params[1]!)),
    route("POST", "/threads/{id}/runs/{id}", async (ctx) => {
      const run = state.run(ctx.params[0]!, ctx.params[1]!);
      const body = await ctx.body();
      if (body.metadata !== undefined) run.metadata = body.metadata;
      return run;
    }),
    route("POST", "/threads/{id}/runs/{id}/cancel", async (ctx) => {
      const run = state.run(ctx.params[0]!, ctx.params[1]!);
      if (!ACTIVE_STATUSES.has(run.status))
        throw new ApiError(400, `Cannot cancel run with status '${run.status}'.`);
      if (run.status !== "cancelling") engine.cancel(run);
      return run;
    }),
    route("POST", "/threads/{id}/runs/{id}/submit_tool_outputs", async (ctx) => {
      const run = state.run(ctx.params[0]!, ctx.params[1]!);
      throw new ApiError(400, `Runs in status '${run.status}' do not accept tool outputs.`);
    }),
    route("GET", "/threads/{id}/runs/{id}/steps", async (ctx) => {
      state.run(ctx.params[0]!, ctx.params[1]!);
      return page(state.steps.get(ctx.params[1]!) ?? [], ctx.query);
    }),
    route("GET", "/threads/{id}/runs/{id}/steps/{id}", async (ctx) => {
      state.run(ctx.params[0]!, ctx.params[1]!);
      const step = state.steps.get(ctx.params[1]!)?.find((s) => s.id === ctx.params[2]);
      if (!step) throw new ApiError(404, `No run step found with id '${ctx.params[2]}'.`);
      return step;
    }),
  ];
}

export function buildRoutes(deps: RouteDeps): Route[] {
  return [...agentRoutes(deps), ...threadRoutes(deps), ...runRoutes(deps), ...fileRoutes(deps)];
}

/** The newest user message's text and every file attached to the thread, for the turn script. */
export function turnContext(state: FakeState, threadId: string) {
  const messages = state.messages.get(threadId) ?? [];
  const users = messages.filter((m) => m.role === "user");
  const last = users[users.length - 1];
  const question = ((last?.content as JsonObject[] | undefined) ?? [])
    .map((c) => ((c.text as JsonObject | undefined)?.value as string | undefined) ?? "")
    .join("\n");
  const files = users
    .flatMap((m) => (m.attachments as JsonObject[]) ?? [])
    .map((a) => state.files.get(a.file_id as string))
    .filter((f) => f !== undefined)
    .map((f) => ({ id: f.info.id, name: f.info.filename, content: f.content }));
  return { threadId, question, files };
}
