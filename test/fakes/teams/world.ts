/**
 * Everything a Teams story needs, on loopback: the fake connector (Teams), the fake SharePoint file host, an
 * optional fake Microsoft Graph and identity platform, and databot itself (whole server, scripted backend)
 * with only the Teams surface.
 */
import type { Activity } from "botbuilder";
import { teamsSurface } from "../../../src/app/surfaces";
import type { AgentBackend } from "../../../src/core/ports";
import { startTestDatabot, type TestDatabot } from "../../support/harness";
import { ScriptedBackend } from "../scripted-backend";
import { postActivity } from "./activities";
import { FakeConnector } from "./connector";
import { FakeGraph } from "./graph";
import { FakeIdentity } from "./identity";
import { FakeSharePoint } from "./sharepoint";

export const APP_ID = "00000000-0000-0000-0000-00000000b07d";
const APP_PASSWORD = "test-client-secret-value";
const GRAPH_STATIC_TOKEN = "graph-static-token-for-fakes";

export interface TeamsWorldOptions {
  /** "static": GRAPH_STATIC_TOKEN; "app": client credentials against the fake identity; false: no Graph. */
  graph?: "static" | "app" | false;
  /** Run with an app id: requests must carry a Bot Framework JWT, replies carry the bot's token. */
  authenticated?: boolean;
  /** DATABOT_MODE=production (needs `authenticated`). */
  production?: boolean;
  env?: Record<string, string>;
  backend?: AgentBackend;
}

export interface TeamsWorld {
  bot: TestDatabot;
  backend: ScriptedBackend;
  connector: FakeConnector;
  sharepoint: FakeSharePoint;
  graph?: FakeGraph;
  identity?: FakeIdentity;
  /** Posts an activity to databot, signed like the Bot Framework when the world is authenticated. */
  post(activity: Partial<Activity>): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

export async function startTeamsWorld(options: TeamsWorldOptions = {}): Promise<TeamsWorld> {
  const connector = await new FakeConnector().start();
  const sharepoint = await new FakeSharePoint().start();
  const needsIdentity = options.authenticated || options.graph === "app";
  const identity = needsIdentity ? await new FakeIdentity({ [APP_ID]: APP_PASSWORD }).start() : undefined;
  let graph: FakeGraph | undefined;
  const env: Record<string, string> = { TEAMS_ENABLED: "true", ...options.env };
  if (options.graph) {
    graph = await new FakeGraph(sharepoint, () =>
      options.graph === "static"
        ? [GRAPH_STATIC_TOKEN]
        : identity!.tokensFor("https://graph.microsoft.com/.default"),
    ).start();
    env.GRAPH_API_URL = graph.apiUrl;
    if (options.graph === "static") {
      env.GRAPH_STATIC_TOKEN = GRAPH_STATIC_TOKEN;
    } else {
      Object.assign(env, {
        GRAPH_TENANT_ID: "contoso.onmicrosoft.com",
        GRAPH_CLIENT_ID: APP_ID,
        GRAPH_CLIENT_SECRET: APP_PASSWORD,
        GRAPH_AUTHORITY_HOST: identity!.url,
        TEAMS_AUTHORITY_CA_FILE: identity!.caFile,
      });
    }
  }
  if (options.authenticated) {
    Object.assign(env, {
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: APP_PASSWORD,
      MicrosoftAppType: "MultiTenant",
      TEAMS_OPENID_METADATA_URL: identity!.openIdMetadataUrl,
      TEAMS_AUTHORITY_HOST: identity!.url,
      TEAMS_AUTHORITY_CA_FILE: identity!.caFile,
    });
    connector.acceptedTokens = () => identity!.tokensFor("https://api.botframework.com/.default");
  }
  if (options.production) env.DATABOT_MODE = "production";
  const backend = (options.backend as ScriptedBackend | undefined) ?? new ScriptedBackend();
  const bot = await startTestDatabot({ env, backend, surfaces: [teamsSurface()] });
  return {
    bot,
    backend,
    connector,
    sharepoint,
    graph,
    identity,
    post: (activity) =>
      postActivity(
        bot.url,
        activity,
        options.authenticated ? identity!.channelToken(APP_ID, activity.serviceUrl!) : undefined,
      ),
    async close() {
      await bot.close();
      await Promise.all([connector.stop(), sharepoint.stop(), graph?.stop(), identity?.stop()]);
    },
  };
}
