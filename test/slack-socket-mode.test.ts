/**
 * Development without a public address: with SLACK_APP_TOKEN set, databot opens a Socket Mode connection and
 * receives events and button clicks over it, acknowledging each only once the message is safely recorded.
 */
import { ScriptedBackend } from "./fakes/scripted-backend";
import { DATABOT, FakeSlack, seedAcme, visibleText } from "./fakes/slack/fake-slack";
import { startTestDatabot, type TestDatabot } from "./support/harness";

let slack: FakeSlack;
let bot: TestDatabot;

beforeEach(async () => {
  slack = await FakeSlack.start({
    manifest: require.resolve("../manifests/slack/manifest.socket-mode.yaml"),
  });
  seedAcme(slack);
  bot = await startTestDatabot({
    env: {
      SLACK_BOT_TOKEN: FakeSlack.BOT_TOKEN,
      SLACK_APP_TOKEN: FakeSlack.APP_TOKEN,
      SLACK_API_URL: slack.apiUrl,
    },
    backend: new ScriptedBackend(),
  });
  await slack.socket.waitForConnection();
});

afterEach(async () => {
  await bot.close();
  await slack.close();
});

test("a mention arrives over Socket Mode, is acknowledged, and is answered in its thread", async () => {
  expect(slack.calls("apps.connections.open")[0]!.authorization).toBe(`Bearer ${FakeSlack.APP_TOKEN}`);
  const asked = await slack.post("U0ANA", {
    channel: "C0SALES",
    text: `<@${DATABOT.userId}> chart revenue by region`,
    files: [{ name: "sales.csv", content: "region,revenue\nEast,120\n" }],
  });
  // Both the app_mention and its message twin were acknowledged on the socket.
  expect(asked.deliveries.map((d) => d.status)).toEqual([200, 200]);
  await bot.waitForTurns(1);

  const replies = slack.databotReplies("C0SALES", asked.ts);
  expect(replies).toHaveLength(1);
  expect(visibleText(replies[0]!)).toContain("using sales.csv");
  expect(bot.turns).toHaveLength(1);
});

test("the Show code button works over Socket Mode too", async () => {
  const asked = await slack.post("U0ANA", { channel: "C0SALES", text: `<@${DATABOT.userId}> chart revenue` });
  await bot.waitForTurns(1);
  const [answer] = slack.databotReplies("C0SALES", asked.ts);
  expect(await slack.click("U0BEN", answer!, "databot_show_code")).toBe(200);
  const snippet = await slack.waitFor(() => slack.databotReplies("C0SALES", asked.ts)[1]);
  expect(slack.state.files.get(snippet.files[0]!)!.name).toBe("analysis.py");
});
