/**
 * Team channels: someone shares a CSV in a channel post and mentions databot. Teams does not hand channel files
 * to bots, so databot reads the post through Microsoft Graph, downloads the file from SharePoint, and answers in
 * the same reply chain, where the team can follow up.
 */
import { CHANNEL_ID, GRACE, TEAM_GROUP_ID, channelMessage } from "./fakes/teams/activities";
import { FILE_INFO_CARD } from "../src/adapters/chat/teams/cards";
import { teamsThreadId } from "../src/adapters/chat/teams/thread-ids";
import { startTeamsWorld, type TeamsWorld } from "./fakes/teams/world";

let world: TeamsWorld;
afterEach(async () => world?.close());

const CSV = "month,region,revenue\n2024-01,East,120\n2024-01,West,95\n";

function imageOf(activity: { attachments?: { contentType?: string; contentUrl?: string }[] }) {
  return activity.attachments?.find((a) => a.contentType === "image/png");
}

test("a CSV shared in a channel post with a mention gets a chart reply in that post's reply chain", async () => {
  world = await startTeamsWorld({ graph: "app" });
  const { connector, graph, sharepoint, identity } = world;
  const file = graph!.addFile("q1-sales.csv", Buffer.from(CSV));
  const post = channelMessage({ serviceUrl: connector.serviceUrl, text: "chart monthly revenue by region" });
  const html = graph!.addChannelMessage(TEAM_GROUP_ID, CHANNEL_ID, post.id!, post.id!, [file]);
  post.attachments![0]!.content = `<div>${post.text}${html}</div>`;

  expect((await world.post(post)).status).toBe(200);

  const chain = `${CHANNEL_ID};messageid=${post.id}`;
  const answer = await connector.waitFor((posted) =>
    posted.find((p) => p.conversationId === chain && imageOf(p.activity)),
  );
  expect(answer.activity.text).toContain("chart monthly revenue by region");
  expect(answer.activity.text).toContain("q1-sales.csv");
  expect(imageOf(answer.activity)!.contentUrl).toMatch(/^data:image\/png;base64,/);

  // databot read the message and the file through Graph with an app-only token for the team's tenant...
  const graphToken = identity!.tokensFor("https://graph.microsoft.com/.default")[0]!;
  expect(identity!.issued.find((t) => t.token === graphToken)!.tenant).toBe(
    "72f988bf-0000-0000-0000-000000000001",
  );
  expect(graph!.requests.map((r) => `${r.method} ${decodeURIComponent(r.path)}`)).toEqual(
    expect.arrayContaining([
      `GET /v1.0/teams/${TEAM_GROUP_ID}/channels/${CHANNEL_ID}/messages/${post.id}`,
      expect.stringMatching(/^GET \/v1\.0\/shares\/u!.+\/driveItem\/content$/),
    ]),
  );
  // ...and the SharePoint download it was redirected to got no token.
  expect(sharepoint.requestsWithToken()).toEqual([]);
  const received = [...world.backend.files.values()].find((f) => f.name === "q1-sales.csv")!;
  expect(received.head.toString()).toBe(CSV);

  // The generated file lands in the channel's Files folder and is shown as a file card in the chain.
  const fileCard = await connector.waitFor((posted) =>
    posted.find(
      (p) =>
        p.conversationId === chain && p.activity.attachments?.some((a) => a.contentType === FILE_INFO_CARD),
    ),
  );
  const card = fileCard.activity.attachments!.find((a) => a.contentType === FILE_INFO_CARD)!;
  expect(card.name).toBe("summary.csv");
  expect(card.contentUrl).toBe(
    "https://contoso.sharepoint.com/sites/Sales/Shared%20Documents/General/summary.csv",
  );
  expect(sharepoint.uploaded("summary.csv")!.toString()).toBe("region,revenue\nEast,120\nWest,95\n");
});

test("a follow-up mention in the same reply chain continues the same analysis", async () => {
  world = await startTeamsWorld({ graph: "static" });
  const { connector, backend, bot } = world;
  const root = channelMessage({ serviceUrl: connector.serviceUrl, text: "revenue by region" });
  await world.post(root);
  const chain = `${CHANNEL_ID};messageid=${root.id}`;
  await connector.waitFor((posted) => posted.find((p) => p.conversationId === chain && imageOf(p.activity)));

  const followUp = channelMessage({
    serviceUrl: connector.serviceUrl,
    text: "now only East",
    rootId: root.id,
    from: GRACE,
  });
  await world.post(followUp);
  await connector.waitFor(
    (posted) => posted.filter((p) => p.conversationId === chain && imageOf(p.activity)).length === 2,
  );
  await bot.waitForTurns(2);

  // Both turns ran on one agent thread, which saw both questions in order.
  const threads = new Set(backend.runs.map((r) => r.threadId));
  expect(threads.size).toBe(1);
  const messages = backend.threads.get([...threads][0]!)!.messages;
  expect(messages.map((m) => m.text)).toEqual(["revenue by region", "now only East"]);
  expect(messages[1]!.authorName).toBe("Grace Hopper");
  const mapped = await bot.store.getThread(teamsThreadId(chain));
  expect(mapped?.agentThreadId).toBe([...threads][0]);

  // A new post in the channel is a new analysis.
  const other = channelMessage({ serviceUrl: connector.serviceUrl, text: "costs by month" });
  await world.post(other);
  await bot.waitForTurns(3);
  expect(new Set(backend.runs.map((r) => r.threadId)).size).toBe(2);
});

test("a file posted without a mention is picked up when someone mentions databot in its reply chain", async () => {
  world = await startTeamsWorld({ graph: "static" });
  const { connector, graph, backend } = world;
  const file = graph!.addFile("pipeline.csv", Buffer.from("stage,deals\nlead,40\nwon,7\n"));
  const root = channelMessage({
    serviceUrl: connector.serviceUrl,
    text: "Q3 pipeline attached",
    mention: false,
  });
  graph!.addChannelMessage(TEAM_GROUP_ID, CHANNEL_ID, root.id!, root.id!, [file]);
  await world.post(root); // not addressed: databot stays quiet

  const reply = channelMessage({
    serviceUrl: connector.serviceUrl,
    text: "conversion rate by stage?",
    rootId: root.id,
    from: GRACE,
  });
  graph!.addChannelMessage(TEAM_GROUP_ID, CHANNEL_ID, root.id!, reply.id!, []);
  await world.post(reply);
  const chain = `${CHANNEL_ID};messageid=${root.id}`;
  const answer = await connector.waitFor((posted) =>
    posted.find((p) => p.conversationId === chain && imageOf(p.activity)),
  );
  expect(answer.activity.text).toContain("pipeline.csv");
  expect([...backend.files.values()].map((f) => f.name)).toEqual(["pipeline.csv"]);
});

test("channel messages that don't mention databot are left alone", async () => {
  world = await startTeamsWorld();
  const { connector, bot } = world;
  const chatter = channelMessage({
    serviceUrl: connector.serviceUrl,
    text: "lunch at noon?",
    mention: false,
  });
  expect((await world.post(chatter)).status).toBe(200);
  const asked = channelMessage({ serviceUrl: connector.serviceUrl, text: "help" });
  await world.post(asked);
  await bot.waitForTurns(1);
  expect(bot.turns.map((t) => t.messageId)).toEqual([expect.stringContaining(asked.id!)]);
  expect(connector.messages().every((p) => p.conversationId.endsWith(`messageid=${asked.id}`))).toBe(true);
});

test("the same activity delivered twice is answered once", async () => {
  world = await startTeamsWorld();
  const { connector, bot } = world;
  const post = channelMessage({ serviceUrl: connector.serviceUrl, text: "revenue by region" });
  const [first, second] = await Promise.all([world.post(post), world.post(post)]);
  expect([first.status, second.status]).toEqual([200, 200]);
  await bot.waitForTurns(1);
  // A later retry (Teams retries when it saw no answer in time) is recognised too.
  expect((await world.post(post)).status).toBe(200);
  await connector.waitFor((posted) => posted.find((p) => imageOf(p.activity)));
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(bot.turns).toHaveLength(1);
  expect(connector.messages().filter((p) => imageOf(p.activity))).toHaveLength(1);
});

test("without Graph access, a file shared in a channel gets a reply that says exactly what to do, and the question is still answered", async () => {
  world = await startTeamsWorld({ graph: false });
  const { connector, backend } = world;
  const post = channelMessage({
    serviceUrl: connector.serviceUrl,
    text: "chart revenue",
    html: '<p><attachment id="5c4d3e2f-0000-0000-0000-000000000001"></attachment></p>',
  });
  await world.post(post);
  const answer = await connector.waitFor((posted) => posted.find((p) => imageOf(p.activity)));
  expect(answer.activity.text).toContain("Microsoft Graph access isn't set up");
  expect(answer.activity.text).toContain("Share the file with me in a 1:1 chat");
  expect(answer.activity.text).toContain("ask your Teams admin to enable Graph access");
  expect(answer.activity.text).toContain('Here is the chart for "chart revenue"');
  expect(backend.threads.size).toBe(1);
});

test("without Graph, a generated file in a channel comes as a signed link that expires", async () => {
  world = await startTeamsWorld({ env: { PUBLIC_BASE_URL: "https://databot.contoso.example" } });
  const { connector, bot } = world;
  await world.post(channelMessage({ serviceUrl: connector.serviceUrl, text: "revenue by region" }));
  const links = await connector.waitFor((posted) =>
    posted.find((p) => (p.activity.text ?? "").includes("https://databot.contoso.example/teams/files/")),
  );
  const url = new URL(
    /\((https:\/\/databot\.contoso\.example\/teams\/files\/[^)]+)\)/.exec(links.activity.text!)![1]!,
  );
  const download = await fetch(`${bot.url}${url.pathname}${url.search}`);
  expect(download.status).toBe(200);
  expect(download.headers.get("content-disposition")).toContain("summary.csv");
  expect(await download.text()).toBe("region,revenue\nEast,120\nWest,95\n");

  // A tampered signature or an expired link is refused.
  const tampered = new URL(url);
  const sig = url.searchParams.get("sig")!;
  // A different first character, whatever the real one is.
  tampered.searchParams.set("sig", (sig.startsWith("x") ? "y" : "x") + sig.slice(1));
  expect((await fetch(`${bot.url}${tampered.pathname}${tampered.search}`)).status).toBe(403);
  const expired = new URL(url);
  expired.searchParams.set("exp", String(Math.floor(Date.now() / 1000) - 60));
  expect((await fetch(`${bot.url}${expired.pathname}${expired.search}`)).status).toBe(403);
});

test("a channel that has neither Graph nor a public address is told how to get the file", async () => {
  world = await startTeamsWorld();
  const { connector } = world;
  await world.post(channelMessage({ serviceUrl: connector.serviceUrl, text: "revenue by region" }));
  const notice = await connector.waitFor((posted) =>
    posted.find((p) => (p.activity.text ?? "").includes("can't share files here")),
  );
  expect(notice.activity.text).toContain("ask me in a 1:1 chat");
});
