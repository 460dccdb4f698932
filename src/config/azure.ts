import { EnvReader, schemas } from "./env-reader";

/**
 * Which Foundry agents API databot runs on: `responses` (new agents: agent versions and the OpenAI Responses API,
 * the default) or `classic` (the threads/runs API of `@azure/ai-agents`, retiring on 2027-03-31).
 */
export type AzureAgentApi = "responses" | "classic";

/** Azure AI Foundry Agent Service (Code Interpreter). Present when `AZURE_AI_PROJECT_ENDPOINT` is set. */
export interface AzureConfig {
  /** `https://<resource>.services.ai.azure.com/api/projects/<project>` */
  projectEndpoint: string;
  /** The model deployment the agent uses. */
  modelDeploymentName: string;
  agentApi: AzureAgentApi;
  /** Classic only: use this existing `asst_…` agent instead of creating or updating databot's own. */
  agentId?: string;
  /** Responses only: the agent whose versions databot runs (created or given a new version at start). */
  agentName: string;
  /** Responses only: run this existing version of the agent instead of the latest (or a new) one. */
  agentVersion?: string;
  /** Responses only: a thread's code-interpreter container expires after this many minutes without use. */
  containerIdleMinutes: number;
  /** A PEM file of extra certificate authorities to trust (a proxy, or the local fake). */
  caFile?: string;
  /**
   * A fixed bearer token instead of DefaultAzureCredential. For the local fake only: refused in production mode,
   * and it keeps the credential chain (which probes the managed-identity address) from ever starting.
   */
  staticToken?: string;
  /** Attempts for one request on throttling, 5xx and network errors, before the user is told. */
  maxRetries: number;
}

const DEFAULT_AGENT_NAME = "databot";

/** Agent names: letters, digits and hyphens, starting and ending with a letter or digit (Foundry's rule). */
const AGENT_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export function readAzureConfig(r: EnvReader): AzureConfig | undefined {
  if (!r.has("AZURE_AI_PROJECT_ENDPOINT")) return undefined;
  const projectEndpoint = r.read("AZURE_AI_PROJECT_ENDPOINT", schemas.httpsUrl());
  const modelDeploymentName = r.require(
    "AZURE_AI_MODEL_DEPLOYMENT_NAME",
    schemas.text(),
    "when AZURE_AI_PROJECT_ENDPOINT is set (the model deployment the agent uses, e.g. gpt-4o)",
  );
  const agentApi =
    r.read("AZURE_AI_AGENT_API", schemas.oneOf(["responses", "classic"]), "responses") ?? "responses";
  const agentId = r.read("AZURE_AI_AGENT_ID", schemas.text());
  const agentName = r.read(
    "AZURE_AI_AGENT_NAME",
    schemas
      .text()
      .regex(AGENT_NAME, "letters, digits and hyphens, at most 63, not starting or ending with -"),
    DEFAULT_AGENT_NAME,
  );
  const agentVersion = r.read("AZURE_AI_AGENT_VERSION", schemas.text());
  if (agentApi === "responses" && agentId) {
    r.fail(
      "AZURE_AI_AGENT_ID names a classic agent (asst_…), which AZURE_AI_AGENT_API=responses does not run: set " +
        "AZURE_AI_AGENT_NAME (and AZURE_AI_AGENT_VERSION to pin a version) to use a new agent, or set " +
        "AZURE_AI_AGENT_API=classic to keep the classic agent",
    );
  }
  if (agentApi === "classic") {
    for (const name of ["AZURE_AI_AGENT_NAME", "AZURE_AI_AGENT_VERSION", "AZURE_AI_CONTAINER_IDLE_MINUTES"]) {
      if (r.has(name)) r.fail(`${name} applies to AZURE_AI_AGENT_API=responses, not classic`);
    }
  }
  if (!projectEndpoint || !modelDeploymentName) return undefined;
  return {
    projectEndpoint: projectEndpoint.replace(/\/+$/, ""),
    modelDeploymentName,
    agentApi,
    agentId,
    agentName: agentName ?? DEFAULT_AGENT_NAME,
    agentVersion,
    containerIdleMinutes: r.read("AZURE_AI_CONTAINER_IDLE_MINUTES", schemas.int(1, 60), 20) ?? 20,
    caFile: r.read("AZURE_AI_CA_FILE", schemas.text()),
    staticToken: r.read("AZURE_AI_STATIC_TOKEN", schemas.text()),
    maxRetries: r.read("AZURE_AI_MAX_RETRIES", schemas.int(0, 20), 5) ?? 5,
  };
}
