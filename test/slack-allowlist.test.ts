/**
 * A company runs databot for its own workspace (`ALLOWED_SLACK_TEAMS`). In a Slack Connect channel shared with
 * another organization, a guest from there mentions databot with a file: they get one polite sentence and
 * nothing else — nothing recorded, nothing downloaded, nothing analysed — while the company's own people are
 * answered as usual in the same channel.
 */
import { NOT_SERVED_TEXT } from "../src/adapters/chat/slack/receive";
import { ScriptedBackend } from "./fakes/scripted-backend";
import { DATABOT, FakeSlack, seedAcme, visibleText } from "./fakes/slack/fake-slack";
import { configProblems } from "./support/config-problems";
import { startTestDatabot, type TestDatabot } from "./support/harness";

const mention = (text: string) => `<@${DATABOT.userId}> ${text}`;
const CSV = "region,revenue\nEast,120\nWest,95\n";

let slack: FakeSlack;
let bot: TestDatabot;
let backend: ScriptedBackend;

beforeEach(async () => {
  slack = await FakeSlack.start();
  seedAcme(slack);
  slack.addPerson("U0GUS", "Gus", "T0GLOBEX");
  slack.addChannel("C0SHARED", "acme-globex", "public", ["U0ANA", "U0GUS"]);
  backend = new ScriptedBackend();
  bot = await startTestDatabot({ env: { ...slack.env(), ALLOWED_SLACK_TEAMS: "T0ACME" }, backend });
  slack.eventsUrl = `${bot.url}/slack/events`;
});

afterEach(async () => {
  await bot.close();
  await slack.close();
});

test("a guest from another organization gets one polite refusal in the thread, and nothing is recorded or downloaded", async () => {
  const asked = await slack.post("U0GUS", {
    channel: "C0SHARED",
    text: mention("chart our revenue"),
    files: [{ name: "globex-sales.csv", content: CSV }],
  });
  expect(asked.deliveries.every((d) => d.status === 200)).toBe(true);
  await slack.waitFor(() => slack.databotReplies("C0SHARED", asked.ts).length === 1);
  const [refusal] = slack.databotReplies("C0SHARED", asked.ts);
  expect(visibleText(refusal!)).toBe(NOT_SERVED_TEXT);

  // They keep asking in the same thread: no second refusal.
  const again = await slack.post("U0GUS", {
    channel: "C0SHARED",
    threadTs: asked.ts,
    text: mention("please?"),
  });
  expect(again.deliveries.every((d) => d.status === 200)).toBe(true);

  // Someone from the company asks in that thread and is answered as usual...
  await slack.post("U0ANA", {
    channel: "C0SHARED",
    threadTs: asked.ts,
    text: mention("what does databot do?"),
  });
  await bot.waitForTurns(1);
  const replies = slack.databotReplies("C0SHARED", asked.ts).map(visibleText);
  expect(replies).toHaveLength(2);
  expect(replies[0]).toBe(NOT_SERVED_TEXT);
  expect(replies[1]).toContain("what does databot do?");

  // ...and of the guest's messages nothing reached the inbox, the backend or the file hosts.
  expect(bot.turns).toHaveLength(1);
  const inbox = await bot.store.latestInThread(`slack:T0ACME:C0SHARED:${asked.ts}`, "done");
  expect(inbox?.message.author.id).toBe("U0ANA");
  expect(backend.files.size).toBe(0);
  expect([...backend.threads.values()].flatMap((t) => t.messages.map((m) => m.text))).toEqual([
    "what does databot do?",
  ]);
  expect(slack.state.downloads).toEqual([]);
  expect(slack.calls("files.info")).toEqual([]);
});

test("each new thread a guest starts is told once; the company's own people are not affected", async () => {
  const first = await slack.post("U0GUS", { channel: "C0SHARED", text: mention("one") });
  const second = await slack.post("U0GUS", { channel: "C0SHARED", text: mention("two") });
  await slack.waitFor(
    () =>
      slack.databotReplies("C0SHARED", first.ts).length === 1 &&
      slack.databotReplies("C0SHARED", second.ts).length === 1,
  );
  const own = await slack.post("U0ANA", {
    channel: "C0SALES",
    text: mention("chart revenue by region"),
    files: [{ name: "sales.csv", content: CSV }],
  });
  await bot.waitForTurns(1);
  expect(visibleText(slack.databotReplies("C0SALES", own.ts)[0]!)).toContain("chart revenue by region");
  expect(backend.files.size).toBe(1);
  expect(slack.state.downloads).toHaveLength(1);
});

test("ALLOWED_SLACK_TEAMS names workspaces by team id; anything else is named at start", () => {
  expect(
    configProblems({
      SLACK_BOT_TOKEN: "xoxb-1",
      SLACK_APP_TOKEN: "xapp-1",
      ALLOWED_SLACK_TEAMS: "T0ACME, T0INITECH",
    }),
  ).toEqual([]);
  expect(
    configProblems({
      SLACK_BOT_TOKEN: "xoxb-1",
      SLACK_APP_TOKEN: "xapp-1",
      ALLOWED_SLACK_TEAMS: "T0ACME,acme.slack.com",
    }),
  ).toEqual(['ALLOWED_SLACK_TEAMS: "acme.slack.com" is not a Slack team id (T…)']);
});
