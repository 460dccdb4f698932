import { EnvReader, schemas } from "./env-reader";

/** Microsoft Graph access for files in channels and group chats. */
export interface GraphConfig {
  tenantId: string;
  clientId: string;
  clientSecret?: string;
  /** Base URL of the Graph API (tests point it at a fake). */
  apiUrl: string;
  /** Token endpoint authority (tests point it at a fake). */
  authorityHost: string;
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
}

export function readTeamsConfig(r: EnvReader, localMode: boolean): TeamsConfig | undefined {
  const enabled = r.read("TEAMS_ENABLED", schemas.bool(), localMode ? "true" : "false") ?? false;
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
        authorityHost: (
          r.read("GRAPH_AUTHORITY_HOST", schemas.url(), "https://login.microsoftonline.com") ?? ""
        ).replace(/\/+$/, ""),
        staticToken,
      };
    }
  }
  return { appId, appPassword, appType, tenantId, graph };
}
