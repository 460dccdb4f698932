import { EnvReader, readIdList, schemas } from "./env-reader";

/** Microsoft Graph access for files in channels and group chats. */
export interface GraphConfig {
  tenantId: string;
  clientId: string;
  clientSecret?: string;
  /** Base URL of the Graph API (tests point it at a fake). */
  apiUrl: string;
  /** Token endpoint authority, https (tests point it at a fake). */
  authorityHost: string;
  /** A PEM file of extra certificate authorities to trust at the token endpoint (a TLS-inspecting proxy, a fake). */
  authorityCaFile?: string;
  /** A fixed bearer token for a fake Graph; refused in production mode. */
  staticToken?: string;
}

/** Microsoft Teams through the Bot Framework. Present when `TEAMS_ENABLED` is true or `MicrosoftAppId` is set. */
export interface TeamsConfig {
  /** Empty in local mode only: the endpoint then runs without JWT validation. */
  appId: string;
  appPassword?: string;
  appType: "MultiTenant" | "SingleTenant" | "UserAssignedMsi";
  tenantId?: string;
  /** Absent: files in channels and group chats get a reply explaining how to share them. */
  graph?: GraphConfig;
  /** Where the Bot Framework publishes the keys that sign Teams' requests (tests point it at a fake). */
  openIdMetadataUrl: string;
  /** Token endpoint authority for the bot's own token, https (tests point it at a fake). */
  authorityHost: string;
  /** A PEM file of extra certificate authorities to trust at the token endpoints (a TLS-inspecting proxy, a fake). */
  authorityCaFile?: string;
  /** Stream answers into personal chats as they are written (Teams streaming). */
  streaming: boolean;
  /**
   * Microsoft Entra tenants (ids) whose conversations databot answers; absent: every tenant the bot is added
   * in. Others get one polite refusal.
   */
  allowedTenants?: string[];
}

const BOT_OPENID_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration";
const MICROSOFT_LOGIN = "https://login.microsoftonline.com";
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Reads an endpoint override: https, or plain http only on a loopback address (a local fake or proxy). */
function readEndpoint(r: EnvReader, name: string, fallback: string): string {
  const value = (r.read(name, schemas.url(), fallback) ?? fallback).replace(/\/+$/, "");
  const url = new URL(value);
  if (url.protocol !== "https:" && !LOOPBACK_HOSTS.has(url.hostname)) {
    r.fail(`${name} must use https (plain http is accepted only for a loopback address)`);
  }
  return value;
}

/** Reads a token endpoint authority: https only, since the identity library signs in over nothing else. */
function readAuthority(r: EnvReader, name: string): string {
  const value = (r.read(name, schemas.url(), MICROSOFT_LOGIN) ?? MICROSOFT_LOGIN).replace(/\/+$/, "");
  if (new URL(value).protocol !== "https:")
    r.fail(`${name} must use https (sign-in never goes over plain http)`);
  return value;
}

/**
 * Teams is on by default only in local mode on a loopback address: without an app id the endpoint is
 * unauthenticated, which is fine for the Agents Playground on this machine and nowhere else.
 */
export function readTeamsConfig(
  r: EnvReader,
  localMode: boolean,
  loopbackHost: boolean,
): TeamsConfig | undefined {
  const byDefault = localMode && loopbackHost;
  const enabled = r.read("TEAMS_ENABLED", schemas.bool(), byDefault ? "true" : "false") ?? false;
  if (!enabled && !r.has("MicrosoftAppId")) return undefined;
  const appType =
    r.read(
      "MicrosoftAppType",
      schemas.oneOf(["MultiTenant", "SingleTenant", "UserAssignedMsi"]),
      "MultiTenant",
    ) ?? "MultiTenant";
  const appId = r.read("MicrosoftAppId", schemas.text()) ?? "";
  const appPassword = r.read("MicrosoftAppPassword", schemas.text());
  const tenantId = r.read("MicrosoftAppTenantId", schemas.text());
  if (appId && appType !== "UserAssignedMsi" && !appPassword) {
    r.fail(`MicrosoftAppPassword is required when MicrosoftAppId is set and MicrosoftAppType is ${appType}`);
  }
  if (appId && appType !== "MultiTenant" && !tenantId) {
    r.fail(`MicrosoftAppTenantId is required when MicrosoftAppType is ${appType}`);
  }
  const authorityCaFile = r.read("TEAMS_AUTHORITY_CA_FILE", schemas.text());
  let graph: GraphConfig | undefined;
  if (r.has("GRAPH_TENANT_ID") || r.has("GRAPH_CLIENT_ID") || r.has("GRAPH_STATIC_TOKEN")) {
    const graphTenant = r.read("GRAPH_TENANT_ID", schemas.text()) ?? tenantId;
    const clientId = r.read("GRAPH_CLIENT_ID", schemas.text()) ?? appId;
    const clientSecret = r.read("GRAPH_CLIENT_SECRET", schemas.text()) ?? appPassword;
    const staticToken = r.read("GRAPH_STATIC_TOKEN", schemas.text());
    if (!staticToken && (!graphTenant || !clientId || !clientSecret)) {
      r.fail(
        "GRAPH_TENANT_ID, GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET are all required for Microsoft Graph access (the client id and secret default to MicrosoftAppId and MicrosoftAppPassword)",
      );
    } else {
      graph = {
        tenantId: graphTenant ?? "",
        clientId: clientId ?? "",
        clientSecret,
        apiUrl: (r.read("GRAPH_API_URL", schemas.url(), "https://graph.microsoft.com/v1.0") ?? "").replace(
          /\/+$/,
          "",
        ),
        authorityHost: readAuthority(r, "GRAPH_AUTHORITY_HOST"),
        authorityCaFile,
        staticToken,
      };
    }
  }
  return {
    appId,
    appPassword,
    appType,
    tenantId,
    graph,
    openIdMetadataUrl: readEndpoint(r, "TEAMS_OPENID_METADATA_URL", BOT_OPENID_METADATA_URL),
    authorityHost: readAuthority(r, "TEAMS_AUTHORITY_HOST"),
    authorityCaFile,
    streaming: r.read("TEAMS_STREAMING", schemas.bool(), "true") ?? true,
    allowedTenants: readIdList(
      r,
      "ALLOWED_TEAMS_TENANTS",
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      "a tenant id (a GUID)",
      (id) => id.toLowerCase(),
    ),
  };
}
