/**
 * The agent version databot runs: the pinned one when `AZURE_AI_AGENT_VERSION` is set, otherwise the latest
 * version of the agent named `AZURE_AI_AGENT_NAME` — after creating a new version when the latest one's model,
 * instructions or code-interpreter tool differ from databot's (or when the agent does not exist yet).
 */
import type { AgentVersion, AIProjectClient, PromptAgentDefinition } from "@azure/ai-projects";
import type { AzureConfig } from "../../../config/azure";
import { DatabotError, ErrorCode } from "../../../core/errors";
import type { Logger } from "../../../core/logger";
import { statusOf, toDatabotError } from "./errors";

/** How a response names the agent that answers. */
export interface AgentRef {
  name: string;
  version: string;
}

/** What the agent is told to be. */
export const AGENT_INSTRUCTIONS = [
  "You are databot, a data analyst in a team chat. People share data files (CSV, Excel, JSON and other formats)",
  "and ask questions about them. Shared files are in /mnt/data; each message lists their names and paths. Use the",
  "code interpreter to load the data and compute every figure; never guess numbers.",
  "When a chart helps, draw it with matplotlib and save it as a PNG file in /mnt/data with a clear name that says",
  "what it shows (for example monthly_revenue_by_region.png), and display it.",
  "Give every file you write a clear, descriptive name, and link it in your answer.",
  "Explain results briefly: lead with the answer in a sentence or two, then the key figures; use a small Markdown",
  "table when it helps. If the data cannot answer the question, say so and say what is missing.",
  "Messages may start with the name of the person asking; several people may share one thread.",
].join(" ");

const DESCRIPTION = "Answers data questions from a team chat with text, charts and files.";

/** The structured input each response fills with the chat thread's own container. */
export const CONTAINER_INPUT = "container_id";

/**
 * databot's agent definition for a model deployment. A response that names an agent takes its tools from the
 * definition, so the code interpreter's container is a template (`{{container_id}}`) that each response fills
 * through `structured_inputs`: every chat thread keeps its own container, files and variables.
 */
function agentDefinition(model: string): PromptAgentDefinition {
  return {
    kind: "prompt",
    model,
    instructions: AGENT_INSTRUCTIONS,
    tools: [{ type: "code_interpreter", container: `{{${CONTAINER_INPUT}}}` }],
    structured_inputs: {
      [CONTAINER_INPUT]: { description: "The chat thread's code-interpreter container.", required: true },
    },
  };
}

/** True when a version's code interpreter runs in the container each response names. */
function takesContainerInput(version: AgentVersion): boolean {
  const definition = version.definition as Partial<PromptAgentDefinition>;
  return (
    (definition.tools ?? []).some(
      (tool) =>
        tool.type === "code_interpreter" &&
        (tool as { container?: unknown }).container === `{{${CONTAINER_INPUT}}}`,
    ) && definition.structured_inputs?.[CONTAINER_INPUT]?.required === true
  );
}

/** True when a version already has databot's model, instructions and templated code-interpreter tool. */
function isUpToDate(version: AgentVersion, model: string): boolean {
  const definition = version.definition as Partial<PromptAgentDefinition>;
  return (
    definition.kind === "prompt" &&
    definition.model === model &&
    definition.instructions === AGENT_INSTRUCTIONS &&
    takesContainerInput(version)
  );
}

function misconfigured(detail: string, cause?: unknown): DatabotError {
  return new DatabotError(
    ErrorCode.BackendUnavailable,
    "databot's Azure AI Foundry agent is not set up as configured; an administrator needs to check AZURE_AI_AGENT_NAME and AZURE_AI_AGENT_VERSION.",
    { detail, cause },
  );
}

/** Returns the agent version to run, creating a new version when databot's definition changed. */
export async function provisionAgentVersion(
  project: AIProjectClient,
  config: AzureConfig,
  logger: Logger,
): Promise<AgentRef> {
  const name = config.agentName;
  if (config.agentVersion) {
    try {
      const pinned = await project.agents.getVersion(name, config.agentVersion);
      if (!takesContainerInput(pinned)) {
        throw misconfigured(
          `agent ${name} version ${pinned.version} has no code_interpreter tool with container "{{${CONTAINER_INPUT}}}" and a required "${CONTAINER_INPUT}" structured input`,
        );
      }
      logger.info({ agent: name, version: pinned.version }, "using the pinned agent version");
      return { name, version: pinned.version };
    } catch (error) {
      if (error instanceof DatabotError) throw error;
      if (statusOf(error) === 404)
        throw misconfigured(`agent ${name} has no version ${config.agentVersion}`, error);
      throw toDatabotError(error, "opening databot's agent");
    }
  }
  let latest: AgentVersion | undefined;
  try {
    latest = (await project.agents.get(name)).versions.latest;
  } catch (error) {
    if (statusOf(error) !== 404) throw toDatabotError(error, "opening databot's agent");
  }
  if (latest && isUpToDate(latest, config.modelDeploymentName)) {
    logger.info({ agent: name, version: latest.version }, "using the latest agent version");
    return { name, version: latest.version };
  }
  try {
    const created = await project.agents.createVersion(name, agentDefinition(config.modelDeploymentName), {
      description: DESCRIPTION,
    });
    logger.info(
      { agent: name, version: created.version, previous: latest?.version },
      "created a new agent version",
    );
    return { name, version: created.version };
  } catch (error) {
    throw toDatabotError(error, "creating databot's agent version");
  }
}
