/**
 * The new agents' project routes (`/agents`, `?api-version=v1` like every project route): agents with their
 * versions, in the shapes @azure/ai-projects 2.x deserializes (`agent`, `agent.version`, Unix-seconds times).
 */
import { route, type Route } from "./route";
import type { FakeAgent, ResponsesState, WireAgentVersion } from "./responses-state";
import { ApiError, type JsonObject, newId, page } from "./wire";

const AGENT_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const KINDS = new Set(["prompt", "hosted", "workflow", "external", "voice"]);

function agentView(agent: FakeAgent): JsonObject {
  return {
    object: "agent",
    id: agent.id,
    name: agent.name,
    state: "enabled",
    versions: { latest: agent.versions[agent.versions.length - 1] },
  };
}

function checkDefinition(definition: unknown): JsonObject {
  if (!definition || typeof definition !== "object") {
    throw new ApiError(
      400,
      "Missing required parameter: 'definition'.",
      "invalid_request_error",
      "definition",
    );
  }
  const d = definition as JsonObject;
  if (typeof d.kind !== "string" || !KINDS.has(d.kind)) {
    throw new ApiError(400, "Invalid 'definition.kind'.", "invalid_request_error", "definition.kind");
  }
  if (d.kind === "prompt" && (typeof d.model !== "string" || d.model === "")) {
    throw new ApiError(
      400,
      "Missing required parameter: 'definition.model'.",
      "invalid_request_error",
      "definition.model",
    );
  }
  for (const [i, tool] of ((d.tools as JsonObject[] | undefined) ?? []).entries()) {
    if (typeof tool?.type !== "string") {
      throw new ApiError(
        400,
        `Invalid 'definition.tools[${i}].type'.`,
        "invalid_request_error",
        `definition.tools[${i}].type`,
      );
    }
  }
  return d;
}

export function agentRoutes(state: ResponsesState): Route[] {
  return [
    route("GET", "/agents", async (ctx) =>
      page([...state.agents.values()].map(agentView) as { id: string }[], ctx.query),
    ),
    route("GET", "/agents/{id}", async (ctx) => agentView(state.agent(ctx.params[0]!))),
    route("DELETE", "/agents/{id}", async (ctx) => {
      const agent = state.agent(ctx.params[0]!);
      state.agents.delete(agent.name);
      return { object: "agent.deleted", name: agent.name, deleted: true };
    }),
    route("GET", "/agents/{id}/versions", async (ctx) =>
      page(state.agent(ctx.params[0]!).versions, ctx.query),
    ),
    route("POST", "/agents/{id}/versions", async (ctx) => {
      const name = ctx.params[0]!;
      if (!AGENT_NAME.test(name)) {
        throw new ApiError(400, `Invalid agent name '${name}'.`, "invalid_request_error", "agent_name");
      }
      const body = await ctx.body();
      const definition = checkDefinition(body.definition);
      let agent = state.agents.get(name);
      if (!agent) {
        agent = { id: newId("agent_"), name, versions: [] };
        state.agents.set(name, agent);
      }
      const version: WireAgentVersion = {
        object: "agent.version",
        id: `${name}:${agent.versions.length + 1}`,
        name,
        version: String(agent.versions.length + 1),
        description: (body.description as string | undefined) ?? "",
        created_at: state.now(),
        metadata: (body.metadata as JsonObject | undefined) ?? {},
        definition,
      };
      agent.versions.push(version);
      return version;
    }),
    route("GET", "/agents/{id}/versions/{id}", async (ctx) =>
      state.agentVersion(ctx.params[0]!, ctx.params[1]!),
    ),
    route("DELETE", "/agents/{id}/versions/{id}", async (ctx) => {
      const agent = state.agent(ctx.params[0]!);
      const version = state.agentVersion(agent.name, ctx.params[1]!);
      agent.versions = agent.versions.filter((v) => v !== version);
      if (agent.versions.length === 0) state.agents.delete(agent.name);
      return { object: "agent.version.deleted", name: agent.name, version: version.version, deleted: true };
    }),
  ];
}
