/**
 * What a Slack admin relies on: only Slack's signed requests are accepted, a token without files:read gives a
 * clear answer instead of a failure, and the bot token never leaves Slack's own hosts.
 */
import { ScriptedBackend } from "./fakes/scripted-backend";
import { envelope, postSigned } from "./fakes/slack/events";
import { DATABOT, FakeSlack, seedAcme, visibleText } from "./fakes/slack/fake-slack";
import { ForeignHost } from "./fakes/slack/foreign-host";
import { startTestDatabot, type TestDatabot } from "./support/harness";

const SALES_CSV = "region,revenue\nEast,120\nWest,95\n";
const mention = (text: string) => `<@${DATABOT.userId}> ${text}`;

let slack: FakeSlack;
let bot: TestDatabot | undefined;
let backend: ScriptedBackend;

beforeEach(async () => {
  slack = await FakeSlack.start();
  seedAcme(slack);
  backend = new ScriptedBackend();
});

afterEach(async () => {
  await bot?.close();
  bot = undefined;
  await slack.close();
});

async function startBot(env: Record<string, string> = {}): Promise<TestDatabot> {
  bot = await startTestDatabot({ env: slack.env(env), backend });
  slack.eventsUrl = `${bot.url}/slack/events`;
  return bot;
}

function mentionEvent(text: string) {
  return envelope({
    type: "app_mention",
    user: "U0ANA",
    text: mention(text),
    ts: "1795500000.000100",
    channel: "C0SALES",
    team: "T0ACME",
  });
}

test("a request signed with another secret, replayed after six minutes or stamped six minutes ahead, is refused with 401", async () => {
  const running = await startBot();
  const body = JSON.stringify(mentionEvent("chart revenue"));
  const url = `${running.url}/slack/events`;
  const forged = await postSigned({
    url,
    body,
    contentType: "application/json",
    secret: "not-the-signing-secret",
  });
  expect(forged.status).toBe(401);
  const sixMinutesAgo = Math.floor(Date.now() / 1000) - 6 * 60;
  const replayed = await postSigned({
    url,
    body,
    contentType: "application/json",
    secret: slack.signingSecret,
    timestamp: sixMinutesAgo,
  });
  expect(replayed.status).toBe(401);
  const postdated = await postSigned({
    url,
    body,
    contentType: "application/json",
    secret: slack.signingSecret,
    timestamp: Math.floor(Date.now() / 1000) + 6 * 60,
  });
  expect(postdated.status).toBe(401);
  const unsigned = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  expect(unsigned.status).toBe(401);

  expect(await running.store.unfinishedInThread("slack:T0ACME:C0SALES:1795500000.000100")).toEqual([]);
  expect(running.turns).toHaveLength(0);
  // The same request, properly signed and fresh, is accepted.
  const genuine = await postSigned({
    url,
    body,
    contentType: "application/json",
    secret: slack.signingSecret,
  });
  expect(genuine.status).toBe(200);
});

test("an event delivered for another workspace is ignored: no turn, no reply, nothing downloaded", async () => {
  const running = await startBot();
  const foreign = mentionEvent("chart revenue");
  foreign.team_id = "T0OTHER";
  foreign.authorizations = foreign.authorizations.map((a) => ({ ...a, team_id: "T0OTHER" }));
  foreign.event = { ...foreign.event, team: "T0OTHER" };
  const answer = await postSigned({
    url: `${running.url}/slack/events`,
    body: JSON.stringify(foreign),
    contentType: "application/json",
    secret: slack.signingSecret,
  });
  expect(answer.status).toBe(200); // acknowledged, so Slack does not deliver it again
  expect(await running.store.unfinishedInThread("slack:T0OTHER:C0SALES:1795500000.000100")).toEqual([]);
  // The same event for databot's own workspace is answered.
  const own = await postSigned({
    url: `${running.url}/slack/events`,
    body: JSON.stringify(mentionEvent("chart revenue")),
    contentType: "application/json",
    secret: slack.signingSecret,
  });
  expect(own.status).toBe(200);
  await running.waitForTurns(1);
  expect(running.turns.map((t) => t.threadId)).toEqual(["slack:T0ACME:C0SALES:1795500000.000100"]);
});

test("Slack's URL check (url_verification) is answered with its challenge", async () => {
  const running = await startBot();
  const body = JSON.stringify({
    token: "legacy",
    challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
    type: "url_verification",
  });
  const answer = await postSigned({
    url: `${running.url}/slack/events`,
    body,
    contentType: "application/json",
    secret: slack.signingSecret,
  });
  expect(answer.status).toBe(200);
  expect(JSON.parse(answer.body)).toEqual({
    challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
  });
});

test("with a token lacking files:read, the file gets a sentence naming the missing scope and databot keeps working", async () => {
  const running = await startBot({ SLACK_BOT_TOKEN: FakeSlack.TOKEN_WITHOUT_FILES_READ });
  const asked = await slack.post("U0ANA", {
    channel: "C0SALES",
    text: mention("chart revenue by region"),
    files: [{ name: "sales.csv", content: SALES_CSV }],
  });
  await running.waitForTurns(1);

  const [reply] = slack.databotReplies("C0SALES", asked.ts);
  const text = visibleText(reply!);
  expect(text).toContain('I couldn\'t read "sales.csv"');
  expect(text).toContain("files:read");
  // Slack answered the download with its sign-in page (HTML, status 200), which never reached the analysis.
  expect(backend.files.size).toBe(0);
  const download = slack.requests.find((r) => r.path.includes("/download/sales.csv"));
  expect(download?.authorization).toBe(`Bearer ${FakeSlack.TOKEN_WITHOUT_FILES_READ}`);

  const health = await fetch(`${running.url}/healthz`);
  expect(health.status).toBe(200);
  const again = await slack.post("U0ANA", {
    channel: "C0SALES",
    threadTs: asked.ts,
    text: "then just summarize what you know",
  });
  expect(again.deliveries.map((d) => d.status)).toEqual([200]);
  await running.waitForTurns(2);
  expect(slack.databotReplies("C0SALES", asked.ts)).toHaveLength(2);
});

test("the bot token is sent only to the configured Slack API host, never to a file link elsewhere", async () => {
  const elsewhere = await ForeignHost.start();
  try {
    const running = await startBot();
    const slackPort = new URL(slack.apiUrl).port;
    const asked = await slack.post("U0ANA", {
      channel: "C0SALES",
      text: mention("compare these"),
      files: [
        { name: "sales.csv", content: SALES_CSV },
        {
          name: "north.csv",
          content: "x",
          downloadUrl: `${elsewhere.origin}/files-pri/T0ACME-F1/download/north.csv`,
        },
        {
          name: "south.csv",
          content: "x",
          downloadUrl: `http://localhost:${slackPort}/files-pri/T0ACME-F2/download/south.csv`,
        },
      ],
    });
    await running.waitForTurns(1);
    // Show the code too, so the snippet upload is part of what is checked.
    const [reply] = slack.databotReplies("C0SALES", asked.ts);
    await slack.click("U0BEN", reply!, "databot_show_code");
    await slack.waitFor(() => slack.databotReplies("C0SALES", asked.ts).length === 2);

    const text = visibleText(reply!);
    expect(text).toContain('I couldn\'t read "north.csv": its download link does not point to Slack.');
    expect(text).toContain('I couldn\'t read "south.csv": its download link does not point to Slack.');
    expect(elsewhere.requests).toEqual([]);
    const apiHost = new URL(slack.apiUrl).host;
    const withToken = slack.requests.filter((r) => r.authorization !== undefined);
    expect(withToken.length).toBeGreaterThan(5);
    expect(
      withToken.every((r) => r.host === apiHost && r.authorization === `Bearer ${FakeSlack.BOT_TOKEN}`),
    ).toBe(true);
    // Uploads go to the pre-authorized upload URL without the token.
    const uploads = slack.requests.filter((r) => r.path.startsWith("/upload/"));
    expect(uploads.length).toBe(3);
    expect(uploads.every((r) => r.authorization === undefined)).toBe(true);
  } finally {
    await elsewhere.close();
  }
});

test("a Slack Connect file, announced only by its id, is looked up with files.info and analyzed", async () => {
  const running = await startBot();
  const asked = await slack.post("U0ANA", {
    channel: "C0SALES",
    text: mention("chart revenue by region"),
    files: [{ name: "partner-sales.csv", content: SALES_CSV, slackConnect: true }],
  });
  expect(asked.deliveries[0]!.body.event.files).toEqual([
    expect.objectContaining({ file_access: "check_file_info", mode: "file_access" }),
  ]);
  await running.waitForTurns(1);

  expect(slack.calls("files.info").length).toBeGreaterThan(0);
  const [reply] = slack.databotReplies("C0SALES", asked.ts);
  expect(visibleText(reply!)).toContain("using partner-sales.csv");
  expect([...backend.files.values()][0]!.head.toString("utf8")).toBe(SALES_CSV);
});
