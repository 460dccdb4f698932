/**
 * The one agent databot runs: an existing one when `AZURE_AI_AGENT_ID` is set, otherwise the agent named
 * "databot" in the project, created or brought up to date (model, instructions, tools) at start.
 */
import type { AgentsClient } from "@azure/ai-agents";
import type { AzureConfig } from "../../../config/azure";
import type { Logger } from "../../../core/logger";
import { listAll } from "./paging";

const AGENT_NAME = "databot";

/** What the agent is told to be. */
const AGENT_INSTRUCTIONS = [
  "You are databot, a data analyst in a team chat. People share data files (CSV, Excel, JSON and other formats)",
  "and ask questions about them. Attached files are in /mnt/data under their file ids; each message lists their",
  "original names. Use the code interpreter to load the data and compute every figure; never guess numbers.",
  "When a chart helps, draw it with matplotlib and save it as a PNG file in /mnt/data with a clear name that says",
  "what it shows (for example monthly_revenue_by_region.png), and display it.",
  "Give every file you write a clear, descriptive name, and link it in your answer.",
  "Explain results briefly: lead with the answer in a sentence or two, then the key figures; use a small Markdown",
  "table when it helps. If the data cannot answer the question, say so and say what is missing.",
  "Messages may start with the name of the person asking; several people may share one thread.",
].join(" ");

const TOOLS = [{ type: "code_interpreter" as const }];

/** Returns the agent id to run: the configured one, or databot's own, created or updated now. */
export async function provisionAgent(
  client: AgentsClient,
  config: AzureConfig,
  logger: Logger,
): Promise<string> {
  if (config.agentId) {
    const agent = await client.getAgent(config.agentId);
    logger.info({ agentId: agent.id }, "using the configured Azure AI Foundry agent");
    return agent.id;
  }
  const agents = await listAll((page) => client.listAgents(page), "desc");
  const existing = agents.find((agent) => agent.name === AGENT_NAME);
  const settings = {
    name: AGENT_NAME,
    description: "Answers data questions from a team chat with text, charts and files.",
    instructions: AGENT_INSTRUCTIONS,
    tools: TOOLS,
  };
  if (existing) {
    const upToDate =
      existing.model === config.modelDeploymentName &&
      existing.instructions === AGENT_INSTRUCTIONS &&
      existing.tools.some((tool) => tool.type === "code_interpreter");
    if (!upToDate) await client.updateAgent(existing.id, { ...settings, model: config.modelDeploymentName });
    logger.info({ agentId: existing.id, updated: !upToDate }, "using databot's Azure AI Foundry agent");
    return existing.id;
  }
  const created = await client.createAgent(config.modelDeploymentName, settings);
  logger.info({ agentId: created.id }, "created databot's Azure AI Foundry agent");
  return created.id;
}
