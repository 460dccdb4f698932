/**
 * Builds the Agents SDK client: the project endpoint, the credential, extra trusted CAs, and databot's retry
 * policy in place of the SDK's default one.
 */
import { AgentsClient } from "@azure/ai-agents";
import type { TokenCredential } from "@azure/identity";
import type { AzureConfig } from "../../../config/azure";
import type { Logger } from "../../../core/logger";
import { trustedCas } from "../../outbound/trusted-cas";
import { credentialFor } from "./credential";
import { databotRetryPolicy, DEFAULT_RETRY, type RetrySettings } from "./retry-policy";

export interface ClientOptions {
  credential?: TokenCredential;
  retry?: Partial<Omit<RetrySettings, "maxRetries">>;
}

/** The SDK client for a configuration, and the retry settings it uses. */
export function createAgentsClient(
  config: AzureConfig,
  logger: Logger,
  options: ClientOptions = {},
): { client: AgentsClient; retry: RetrySettings } {
  const retry: RetrySettings = { ...DEFAULT_RETRY, ...options.retry, maxRetries: config.maxRetries };
  const client = new AgentsClient(
    config.projectEndpoint,
    credentialFor(config.staticToken, options.credential),
    {
      ...(config.caFile ? { tlsOptions: { ca: trustedCas(config.caFile, "AZURE_AI_CA_FILE") } } : {}),
      userAgentOptions: { userAgentPrefix: "databot" },
    },
  );
  client.pipeline.removePolicy({ name: "defaultRetryPolicy" });
  client.pipeline.addPolicy(databotRetryPolicy(retry, logger), { phase: "Retry" });
  return { client, retry };
}
