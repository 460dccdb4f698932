/**
 * Builds the Agents SDK client: the project endpoint, the credential, extra trusted CAs, and databot's retry
 * policy in place of the SDK's default one.
 */
import fs from "node:fs";
import tls from "node:tls";
import { AgentsClient } from "@azure/ai-agents";
import type { TokenCredential } from "@azure/identity";
import type { AzureConfig } from "../../config/azure";
import type { Logger } from "../../core/logger";
import { credentialFor } from "./credential";
import { databotRetryPolicy, DEFAULT_RETRY, type RetrySettings } from "./retry-policy";

export interface ClientOptions {
  credential?: TokenCredential;
  retry?: Partial<Omit<RetrySettings, "maxRetries">>;
}

/** The trusted CAs: Node's defaults plus the configured file (a proxy's CA, or the local fake's). */
export function trustedCas(caFile: string): string[] {
  let pem: string;
  try {
    pem = fs.readFileSync(caFile, "utf8");
  } catch (error) {
    throw new Error(
      `AZURE_AI_CA_FILE: cannot read ${caFile} (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      { cause: error },
    );
  }
  return [...tls.rootCertificates, pem];
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
      ...(config.caFile ? { tlsOptions: { ca: trustedCas(config.caFile) } } : {}),
      userAgentOptions: { userAgentPrefix: "databot" },
    },
  );
  client.pipeline.removePolicy({ name: "defaultRetryPolicy" });
  client.pipeline.addPolicy(databotRetryPolicy(retry, logger), { phase: "Retry" });
  return { client, retry };
}
