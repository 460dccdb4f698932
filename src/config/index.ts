/**
 * The only place databot reads `process.env`. `loadConfig` validates everything once at start; the result is
 * passed to whatever needs it.
 */
import { ConfigError, EnvReader, type Env, schemas } from "./env-reader";
import { readAzureConfig, type AzureConfig } from "./azure";
import { readCoreConfig, type CoreConfig } from "./core";
import { readLocalEngineConfig, type LocalEngineConfig } from "./local-engine";
import { readObservabilityConfig, type ObservabilityConfig } from "./observability";
import { readSlackConfig, type SlackConfig } from "./slack";
import { readReplicaConfig, readStoreConfig, type ReplicaConfig, type StoreConfig } from "./store";
import { readTeamsConfig, type TeamsConfig } from "./teams";
import { readUsageConfig, type UsageConfig } from "./usage";
import { readWebChatConfig, type WebChatConfig } from "./web";

export { ConfigError } from "./env-reader";
export type { Env } from "./env-reader";
export type { AzureConfig } from "./azure";
export type { CoreConfig, LogLevel, Mode } from "./core";
export type { LocalEngineConfig, ModelConfig } from "./local-engine";
export type { ObservabilityConfig, TracingConfig } from "./observability";
export type { SlackConfig } from "./slack";
export type { ReplicaConfig, StoreConfig } from "./store";
export type { GraphConfig, TeamsConfig } from "./teams";
export type { PriceConfig, UsageConfig } from "./usage";
export type { WebChatConfig } from "./web";

export interface Config {
  core: CoreConfig;
  /** SQLite under DATA_DIR, or PostgreSQL when DATABASE_URL is set. */
  store: StoreConfig;
  replica: ReplicaConfig;
  /** Which backend answers: Azure when configured, otherwise the local engine. */
  backend: "azure" | "local";
  azure?: AzureConfig;
  local: LocalEngineConfig;
  slack?: SlackConfig;
  teams?: TeamsConfig;
  web?: WebChatConfig;
  /** Metrics, traces and the log format. */
  observability: ObservabilityConfig;
  /** Prices, session budgets and retention. */
  usage: UsageConfig;
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

/** Validates the environment; throws a {@link ConfigError} listing every problem by variable name. */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const r = new EnvReader(env);
  const core = readCoreConfig(r, cwd);
  const local = core.mode === "local";
  const azure = readAzureConfig(r);
  const backendChoice = r.read("AGENT_BACKEND", schemas.oneOf(["auto", "azure", "local"]), "auto") ?? "auto";
  const backend =
    backendChoice === "auto" ? (r.has("AZURE_AI_PROJECT_ENDPOINT") ? "azure" : "local") : backendChoice;
  if (backend === "azure" && !r.has("AZURE_AI_PROJECT_ENDPOINT")) {
    r.fail("AZURE_AI_PROJECT_ENDPOINT is required when AGENT_BACKEND is azure");
  }
  const config: Config = {
    core,
    store: readStoreConfig(r, core.dataDir),
    replica: readReplicaConfig(r, core.port),
    backend,
    azure,
    local: readLocalEngineConfig(r),
    slack: readSlackConfig(r),
    teams: readTeamsConfig(r, local, LOOPBACK.has(core.host)),
    web: readWebChatConfig(r, local),
    observability: readObservabilityConfig(r),
    usage: readUsageConfig(r),
  };
  if (!local) checkProduction(config, r);
  if (config.replica.replicas > 1 && config.store.kind === "sqlite") {
    r.fail(
      `REPLICAS=${config.replica.replicas}: several replicas need one shared store; set DATABASE_URL to a PostgreSQL database (a SQLite file lives on one replica's disk)`,
    );
  }
  if (config.teams && !config.teams.appId && !LOOPBACK.has(core.host)) {
    r.fail(
      `TEAMS_ENABLED: without MicrosoftAppId the Teams endpoint accepts unsigned requests, so it may only listen on loopback, not HOST=${core.host} (set MicrosoftAppId, HOST=127.0.0.1 or TEAMS_ENABLED=false)`,
    );
  }
  if (config.web && !LOOPBACK.has(core.host) && !config.web.accessToken) {
    r.fail(`WEB_ACCESS_TOKEN is required when the web chat is served on ${core.host} (not loopback)`);
  }
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}

/** Production refuses anything that would run unauthenticated or unsandboxed, naming the setting. */
function checkProduction(config: Config, r: EnvReader): void {
  if (config.teams && !config.teams.appId) {
    r.fail(
      "MicrosoftAppId is required in production mode (without it the Teams endpoint accepts unsigned requests)",
    );
  }
  if (config.slack && !config.slack.signingSecret && !config.slack.appToken) {
    r.fail("SLACK_SIGNING_SECRET is required in production mode to verify Slack's requests");
  }
  if (config.web && !config.web.accessToken) {
    r.fail("WEB_ACCESS_TOKEN is required for the web chat in production mode (or set WEB_CHAT=false)");
  }
  if (config.backend === "local" && config.local.allowUnsandboxed) {
    r.fail("SANDBOX_ALLOW_UNSANDBOXED must be false in production mode: code would run outside its sandbox");
  }
  if (config.azure?.staticToken) {
    r.fail("AZURE_AI_STATIC_TOKEN is for local fakes only and is refused in production mode");
  }
  if (config.teams?.graph?.staticToken) {
    r.fail("GRAPH_STATIC_TOKEN is for local fakes only and is refused in production mode");
  }
  if (!config.slack && !config.teams && !config.web) {
    r.fail("production mode needs a chat surface: set SLACK_BOT_TOKEN, MicrosoftAppId or WEB_CHAT=true");
  }
}

export type { EnvReader };
