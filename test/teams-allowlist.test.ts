/**
 * A multi-tenant Teams bot can be added in any organization's tenant. With `ALLOWED_TEAMS_TENANTS`, databot
 * answers only its own: a person in another tenant who shares a file and asks gets one polite sentence and
 * nothing else: nothing recorded, nothing downloaded.
 */
import type { Activity } from "botbuilder";
import { NOT_SERVED_TEXT } from "../src/adapters/chat/teams/receiver";
import { channelMessage, downloadInfo, personalMessage, TENANT_ID } from "./fakes/teams/activities";
import { startTeamsWorld, type TeamsWorld } from "./fakes/teams/world";
import { configProblems } from "./support/config-problems";

const OTHER_TENANT = "0b5e7c1d-1111-2222-3333-444455556666";
const CSV = "region,revenue\nEast,120\nWest,95\n";

let world: TeamsWorld;
afterEach(async () => world?.close());

/** The same activity as if it came from a conversation in another organization's tenant. */
function inOtherTenant(activity: Partial<Activity>): Partial<Activity> {
  return {
    ...activity,
    conversation: { ...activity.conversation!, tenantId: OTHER_TENANT },
    channelData: { ...(activity.channelData as object), tenant: { id: OTHER_TENANT } },
  };
}

test("someone in another tenant who shares a CSV in a 1:1 chat is told once, politely, and nothing else happens", async () => {
  // Tenant ids are GUIDs; however they are written, they are the same tenant.
  world = await startTeamsWorld({ env: { ALLOWED_TEAMS_TENANTS: TENANT_ID.toUpperCase() } });
  const { connector, sharepoint } = world;
  const url = sharepoint.downloadUrl({ name: "sales.csv", data: Buffer.from(CSV) });
  const outsider = inOtherTenant(
    personalMessage({
      serviceUrl: connector.serviceUrl,
      text: "chart revenue by region",
      attachments: [downloadInfo("sales.csv", url)],
    }),
  );
  expect((await world.post(outsider)).status).toBe(200);
  const conversationId = outsider.conversation!.id;
  const refusal = await connector.waitFor((posted) =>
    posted.find((p) => p.conversationId === conversationId && p.activity.type === "message"),
  );
  expect(refusal.activity.text).toBe(NOT_SERVED_TEXT);

  // Asking again in that chat brings nothing more.
  const again = inOtherTenant(
    personalMessage({ serviceUrl: connector.serviceUrl, text: "please?", conversationId }),
  );
  expect((await world.post(again)).status).toBe(200);

  // Someone in the company's own tenant is answered as usual.
  const colleague = personalMessage({ serviceUrl: connector.serviceUrl, text: "what can you do?" });
  await world.post(colleague);
  await world.bot.waitForTurns(1);
  await connector.waitFor((posted) => posted.find((p) => p.conversationId === colleague.conversation!.id));

  expect(connector.messages(conversationId)).toHaveLength(1);
  expect(world.bot.turns).toHaveLength(1);
  expect(world.backend.files.size).toBe(0);
  expect(sharepoint.requests.filter((r) => r.path.startsWith("/download/"))).toEqual([]);
});

test("in another tenant's channel, a mention is told once in its reply chain and a post without one gets nothing", async () => {
  world = await startTeamsWorld({ env: { ALLOWED_TEAMS_TENANTS: TENANT_ID } });
  const { connector } = world;
  const quiet = inOtherTenant(
    channelMessage({ serviceUrl: connector.serviceUrl, text: "lunch?", mention: false }),
  );
  expect((await world.post(quiet)).status).toBe(200);
  const asked = inOtherTenant(
    channelMessage({ serviceUrl: connector.serviceUrl, text: "chart revenue by region", mention: true }),
  );
  expect((await world.post(asked)).status).toBe(200);
  const refusal = await connector.waitFor((posted) => posted.find((p) => p.activity.type === "message"));
  expect(refusal.conversationId).toBe(asked.conversation!.id);
  expect(refusal.activity.text).toBe(NOT_SERVED_TEXT);
  expect(connector.messages()).toHaveLength(1);
  expect(world.bot.turns).toHaveLength(0);
});

test("ALLOWED_TEAMS_TENANTS takes tenant ids; a domain name is named at start", () => {
  const teams = { TEAMS_ENABLED: "true" };
  expect(configProblems({ ...teams, ALLOWED_TEAMS_TENANTS: `${TENANT_ID} ${OTHER_TENANT}` })).toEqual([]);
  expect(configProblems({ ...teams, ALLOWED_TEAMS_TENANTS: "contoso.onmicrosoft.com" })).toEqual([
    'ALLOWED_TEAMS_TENANTS: "contoso.onmicrosoft.com" is not a tenant id (a GUID)',
  ]);
});
