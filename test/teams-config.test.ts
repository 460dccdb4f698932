/**
 * Teams settings an admin gets wrong are named at start: unsigned endpoints in production, endpoint overrides
 * that would take the bot's trust off https, and the app registration's missing pieces.
 */
import { loadConfig } from "../src/config";
import { configProblems as problems } from "./support/config-problems";
import { createTeamsModule } from "../src/adapters/chat/teams";
import { teamsSurface } from "../src/app/surfaces";
import { silentLogger } from "../src/core/logger";
import type { SurfaceDeps } from "../src/adapters/chat/surface-module";

const APP = { MicrosoftAppId: "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b", MicrosoftAppPassword: "secret-value" };

test("the signing-key endpoint takes https or http on loopback; the token endpoints default to Microsoft's and take https only", () => {
  const config = loadConfig({ ...APP }, "/");
  expect(config.teams).toMatchObject({
    openIdMetadataUrl: "https://login.botframework.com/v1/.well-known/openidconfiguration",
    authorityHost: "https://login.microsoftonline.com",
    streaming: true,
  });
  expect(problems({ ...APP, TEAMS_OPENID_METADATA_URL: "http://keys.example.com/openid" })).toEqual([
    "TEAMS_OPENID_METADATA_URL must use https (plain http is accepted only for a loopback address)",
  ]);
  expect(problems({ ...APP, TEAMS_OPENID_METADATA_URL: "http://127.0.0.1:8080/openid" })).toEqual([]);
  // Sign-in never goes over plain http, not even to loopback: the identity library refuses it.
  expect(problems({ ...APP, TEAMS_AUTHORITY_HOST: "http://10.0.0.5:8080" })).toEqual([
    "TEAMS_AUTHORITY_HOST must use https (sign-in never goes over plain http)",
  ]);
  expect(problems({ ...APP, TEAMS_AUTHORITY_HOST: "http://127.0.0.1:8080" })).toEqual([
    "TEAMS_AUTHORITY_HOST must use https (sign-in never goes over plain http)",
  ]);
  expect(
    problems({
      ...APP,
      GRAPH_CLIENT_SECRET: "s",
      GRAPH_TENANT_ID: "t",
      GRAPH_AUTHORITY_HOST: "http://127.0.0.1:8080",
    }),
  ).toEqual(["GRAPH_AUTHORITY_HOST must use https (sign-in never goes over plain http)"]);
  expect(problems({ ...APP, TEAMS_AUTHORITY_HOST: "https://127.0.0.1:8443" })).toEqual([]);
  expect(loadConfig({ ...APP, TEAMS_STREAMING: "false" }, "/").teams?.streaming).toBe(false);
});

test("a single-tenant registration needs its tenant, and a secret unless it is a managed identity", () => {
  expect(problems({ MicrosoftAppId: APP.MicrosoftAppId, MicrosoftAppType: "SingleTenant" })).toEqual([
    "MicrosoftAppPassword is required when MicrosoftAppId is set and MicrosoftAppType is SingleTenant",
    "MicrosoftAppTenantId is required when MicrosoftAppType is SingleTenant",
  ]);
});

test("even if configuration were bypassed, the Teams module refuses to serve unsigned requests in production", () => {
  const config = loadConfig({ TEAMS_ENABLED: "true" }, "/");
  const deps = { logger: silentLogger, settings: { mode: "production" } } as unknown as SurfaceDeps;
  expect(() => createTeamsModule(deps, config.teams!)).toThrow(
    /MicrosoftAppId is required in production mode/,
  );
  // A surface whose section is absent is not built at all.
  expect(teamsSurface().build(deps, { ...config, teams: undefined })).toBeUndefined();
});
