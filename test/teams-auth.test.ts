/**
 * Trust: only requests signed by the Bot Framework are taken, and databot's own token goes only to Teams' own
 * service. Runs with an app id against a fake identity platform that publishes the signing keys and issues the
 * bot's client-credentials tokens.
 */
import { personalMessage } from "./fakes/teams/activities";
import { APP_ID, startTeamsWorld, type TeamsWorld } from "./fakes/teams/world";
import { postActivity } from "./fakes/teams/activities";
import { makePng } from "./support/png";

let world: TeamsWorld;
afterEach(async () => world?.close());
// botbuilder prints the published key to stderr when a signature does not verify; keep the test output clean.
beforeEach(() => jest.spyOn(console, "error").mockImplementation(() => undefined));
afterEach(() => jest.restoreAllMocks());

const BOT_SCOPE = "https://api.botframework.com/.default";

test("in production mode a request with a forged Bot Framework token is refused with 401 and never answered", async () => {
  world = await startTeamsWorld({ authenticated: true, production: true });
  const { connector, identity, bot } = world;
  const activity = personalMessage({ serviceUrl: connector.serviceUrl, text: "revenue by region" });

  const forged = await postActivity(bot.url, activity, identity!.forgedToken(APP_ID, activity.serviceUrl!));
  expect(forged.status).toBe(401);
  expect(forged.body).not.toMatch(/signature|jwt|key/i); // no detail for the caller
  const unsigned = await postActivity(bot.url, activity);
  expect(unsigned.status).toBe(401);
  const wrongAudience = await postActivity(
    bot.url,
    activity,
    identity!.channelToken("someone-elses-bot", activity.serviceUrl!),
  );
  expect(wrongAudience.status).toBe(401);
  const otherServiceUrl = await postActivity(
    bot.url,
    activity,
    identity!.channelToken(APP_ID, "https://attacker.example/"),
  );
  expect(otherServiceUrl.status).toBe(401);

  // The genuine request is taken and answered, with the bot's token on every call to the connector.
  const genuine = await world.post(activity);
  expect(genuine.status).toBe(200);
  await bot.waitForTurns(1);
  const answer = await connector.waitFor((posted) => posted.find((p) => p.activity.attachments?.length));
  const botTokens = identity!.tokensFor(BOT_SCOPE);
  expect(botTokens.length).toBeGreaterThan(0);
  expect(answer.authorization).toBe(`Bearer ${botTokens[0]}`);
  expect(bot.turns).toHaveLength(1);
});

test("a pasted image is fetched with the bot's token from Teams' attachment service, and the token goes nowhere else", async () => {
  world = await startTeamsWorld({ authenticated: true });
  const { connector, sharepoint, identity, backend } = world;
  const png = makePng(40, 30, 3);
  const onTeams = connector.addPastedImage(png);
  const elsewhere = sharepoint.downloadUrl({ name: "elsewhere.png", data: png });
  const redirected = connector.addRedirectingAttachment(
    sharepoint.downloadUrl({ name: "moved.png", data: png }),
  );
  const activity = personalMessage({
    serviceUrl: connector.serviceUrl,
    text: "what is in these pictures?",
    attachments: [
      { contentType: "image/png", contentUrl: onTeams, name: "pasted.png" },
      { contentType: "image/png", contentUrl: elsewhere, name: "elsewhere.png" },
      { contentType: "image/png", contentUrl: redirected, name: "moved.png" },
    ],
  });
  await world.post(activity);
  const answer = await connector.waitFor((posted) => posted.find((p) => p.activity.attachments?.length));

  // Teams' own attachment service got the bot's token...
  const botToken = identity!.tokensFor(BOT_SCOPE)[0]!;
  expect(connector.attachmentRequests.map((r) => r.authorization)).toEqual([
    `Bearer ${botToken}`,
    `Bearer ${botToken}`,
  ]);
  // ...the other host was never asked with it: not directly, not through the redirect.
  expect(sharepoint.requestsWithToken()).toEqual([]);
  expect(sharepoint.requests.filter((r) => r.path.startsWith("/download/"))).toHaveLength(1); // the redirect, tokenless

  // The pasted image and the redirected one reached the analysis; the outside one was refused with a reason.
  const names = [...backend.files.values()].map((f) => f.name).sort();
  expect(names).toEqual(["moved.png", "pasted.png"]);
  expect([...backend.files.values()].find((f) => f.name === "pasted.png")!.head.equals(png)).toBe(true);
  expect(answer.activity.text).toContain('I couldn\'t read "elsewhere.png"');
  expect(answer.activity.text).toContain("attach it as a file instead");
});
