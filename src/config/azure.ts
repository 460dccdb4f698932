import { EnvReader, schemas } from "./env-reader";

/** Azure AI Foundry Agent Service (Code Interpreter). Present when `AZURE_AI_PROJECT_ENDPOINT` is set. */
export interface AzureConfig {
  /** `https://<resource>.services.ai.azure.com/api/projects/<project>` */
  projectEndpoint: string;
  /** The model deployment the agent uses. */
  modelDeploymentName: string;
  /** Use this existing agent instead of creating or updating databot's own. */
  agentId?: string;
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

export function readAzureConfig(r: EnvReader): AzureConfig | undefined {
  if (!r.has("AZURE_AI_PROJECT_ENDPOINT")) return undefined;
  const projectEndpoint = r.read("AZURE_AI_PROJECT_ENDPOINT", schemas.httpsUrl());
  const modelDeploymentName = r.require(
    "AZURE_AI_MODEL_DEPLOYMENT_NAME",
    schemas.text(),
    "when AZURE_AI_PROJECT_ENDPOINT is set (the model deployment the agent uses, e.g. gpt-4o)",
  );
  if (!projectEndpoint || !modelDeploymentName) return undefined;
  return {
    projectEndpoint: projectEndpoint.replace(/\/+$/, ""),
    modelDeploymentName,
    agentId: r.read("AZURE_AI_AGENT_ID", schemas.text()),
    caFile: r.read("AZURE_AI_CA_FILE", schemas.text()),
    staticToken: r.read("AZURE_AI_STATIC_TOKEN", schemas.text()),
    maxRetries: r.read("AZURE_AI_MAX_RETRIES", schemas.int(0, 20), 5) ?? 5,
  };
}
