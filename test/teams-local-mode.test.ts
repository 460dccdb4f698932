/**
 * Without an app id the Teams endpoint is unauthenticated, so it serves this machine only (the Agents
 * Playground): an attacker who can reach the port, or a web page using DNS rebinding, gets a refusal and
 * databot fetches nothing and posts nothing. With an app id, file links go only to Microsoft's hosts.
 */
import http from "node:http";
import type { Request } from "express";
import { refuseUnlessLocal } from "../src/adapters/chat/teams/local-access";
import { loadConfig } from "../src/config";
import { downloadInfo, personalMessage } from "./fakes/teams/activities";
import { startTeamsWorld, type TeamsWorld } from "./fakes/teams/world";
import { configProblems } from "./support/config-problems";

let world: TeamsWorld;
afterEach(async () => world?.close());

const CSV = "region,revenue\nEast,120\nWest,95\n";

test("an activity naming a serviceUrl elsewhere is refused: nothing is downloaded, analysed or posted", async () => {
  world = await startTeamsWorld();
  const { sharepoint, connector, backend, bot } = world;
  for (const serviceUrl of [
    "https://attacker.example/",
    "http://10.0.0.5:8080/",
    "http://169.254.169.254/",
  ]) {
    const activity = personalMessage({
      serviceUrl,
      text: "summarize this",
      attachments: [
        downloadInfo("sales.csv", sharepoint.downloadUrl({ name: "sales.csv", data: Buffer.from(CSV) })),
      ],
    });
    const response = await world.post(activity);
    expect([serviceUrl, response.status]).toEqual([serviceUrl, 403]);
    expect(response.body).not.toMatch(/at \/|node_modules|\.ts:/); // no stack trace for a stranger
  }
  expect(sharepoint.requests).toEqual([]);
  expect(backend.files.size).toBe(0);
  expect(connector.posted).toEqual([]);
  expect(bot.turns).toEqual([]);

  // The Playground's own kind of request, from this machine to this machine, is still answered.
  const genuine = personalMessage({ serviceUrl: connector.serviceUrl, text: "hello" });
  expect((await world.post(genuine)).status).toBe(200);
  await bot.waitForTurns(1);
});

test("a request whose Host header is not a loopback name (DNS rebinding from a web page) is refused", async () => {
  world = await startTeamsWorld();
  const activity = personalMessage({ serviceUrl: world.connector.serviceUrl, text: "hello" });
  const status = await new Promise<number>((resolve, reject) => {
    const body = JSON.stringify(activity);
    const req = http.request(
      `${world.bot.url}/api/messages`,
      {
        method: "POST",
        headers: { host: "rebind.attacker.example:3978", "content-type": "application/json" },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
  expect(status).toBe(403);
  expect(world.bot.turns).toEqual([]);
});

test("a client connecting from another machine is refused, whatever it claims", () => {
  const request = (remoteAddress: string, host: string) =>
    ({ socket: { remoteAddress }, headers: { host } }) as unknown as Request;
  expect(refuseUnlessLocal(request("192.168.1.20", "127.0.0.1:3978"), "http://127.0.0.1:56000/")).toBe(
    "the client is not on this machine",
  );
  expect(refuseUnlessLocal(request("::ffff:10.1.1.1", "localhost"), "http://localhost:56000/")).toBe(
    "the client is not on this machine",
  );
  expect(refuseUnlessLocal(request("127.0.0.1", "localhost:3978"), "http://[::1]:56000/")).toBeUndefined();
  expect(refuseUnlessLocal(request("::1", "[::1]:3978"), "https://smba.trafficmanager.net/emea/")).toBe(
    "the serviceUrl is not on this machine",
  );
});

test("databot refuses to start with an unauthenticated Teams endpoint on a non-loopback address, naming the setting", () => {
  expect(configProblems({ HOST: "0.0.0.0", TEAMS_ENABLED: "true", WEB_CHAT: "false" })).toEqual([
    "TEAMS_ENABLED: without MicrosoftAppId the Teams endpoint accepts unsigned requests, so it may only listen on loopback, not HOST=0.0.0.0 (set MicrosoftAppId, HOST=127.0.0.1 or TEAMS_ENABLED=false)",
  ]);
  // Serving the web chat on the network (as the README describes) leaves Teams off unless asked for.
  const config = loadConfig({ HOST: "0.0.0.0", WEB_ACCESS_TOKEN: "a-long-enough-web-token" }, "/srv");
  expect(config.teams).toBeUndefined();
  expect(loadConfig({}, "/srv").teams?.appId).toBe("");
  expect(
    configProblems({ HOST: "0.0.0.0", MicrosoftAppId: "app", MicrosoftAppPassword: "pw", WEB_CHAT: "false" }),
  ).toEqual([]);
});

test("with an app id, a file link outside Microsoft's file hosts is never fetched", async () => {
  world = await startTeamsWorld({ authenticated: true });
  const { connector, bot } = world;
  const activity = personalMessage({
    serviceUrl: connector.serviceUrl,
    text: "summarize this",
    attachments: [
      downloadInfo("sales.csv", "https://files.attacker.example/sales.csv"),
      downloadInfo("notes.csv", "https://169.254.169.254/latest/meta-data/"),
    ],
  });
  expect((await world.post(activity)).status).toBe(200);
  await bot.waitForTurns(1);
  const answer = await connector.waitFor((posted) =>
    posted.find((p) => p.activity.text?.includes("sales.csv")),
  );
  expect(answer.activity.text).toContain(
    'I couldn\'t read "sales.csv": its link points somewhere databot does not download from',
  );
  expect(answer.activity.text).toContain('I couldn\'t read "notes.csv"');
});
