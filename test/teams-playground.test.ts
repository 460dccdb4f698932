/**
 * End to end with the client Microsoft ships for this, the M365 Agents Playground (a Teams emulator): databot
 * runs in local mode, the Playground runs headless against it, a person attaches a CSV in the personal chat and
 * asks a question, and databot's answer with the chart appears in the Playground's conversation.
 */
import { teamsSurface } from "../src/app/surfaces";
import { downloadInfo } from "./fakes/teams/activities";
import { Playground } from "./fakes/teams/playground";
import { FakeSharePoint } from "./fakes/teams/sharepoint";
import { startTestDatabot, type TestDatabot } from "./support/harness";
import { pngSize } from "./support/png";
import { ScriptedBackend, defaultScript } from "./fakes/scripted-backend";

let bot: TestDatabot;
let playground: Playground;
let files: FakeSharePoint;
const backend = new ScriptedBackend();

beforeAll(async () => {
  files = await new FakeSharePoint().start();
  bot = await startTestDatabot({
    env: { TEAMS_ENABLED: "true" },
    surfaces: [teamsSurface()],
    backend,
  });
  playground = await new Playground().start(`${bot.url}/api/messages`);
}, 60_000);

afterAll(async () => {
  await playground?.stop();
  await bot?.close();
  await files?.stop();
});

test("a CSV attached in the Playground's personal chat gets databot's chart reply in that chat", async () => {
  const config = await playground.config();
  const chatId = config.personalChat.id;
  const template = await playground.template(chatId);
  const csv = "month,region,revenue\n2024-01,East,120\n2024-01,West,95\n";
  await playground.sendCustomActivity({
    ...template,
    type: "message",
    text: "chart monthly revenue by region",
    textFormat: "plain",
    attachments: [
      downloadInfo("sales.csv", files.downloadUrl({ name: "sales.csv", data: Buffer.from(csv) })),
    ],
  });

  const answer = await playground.waitForEvent(
    (e) =>
      e.action === "createMessage" &&
      e.actionConversationId === chatId &&
      e.message?.from.id === config.bot.id &&
      (e.message.text ?? "").includes("chart monthly revenue by region"),
  );
  expect(answer.message!.text).toContain("sales.csv");
  const chart = await playground.waitForEvent(
    (e) =>
      e.action === "createMessage" &&
      e.message?.attachments.some((a) => a.contentType === "image/png") === true,
  );
  expect(chart.actionConversationId).toBe(chatId);
  // The image the Playground received is a real PNG (its log keeps the requests the bot made).
  const dataUri = /"contentUrl":"data:image\/png;base64,([A-Za-z0-9+/=]+)"/.exec(playground.requestLog());
  expect(pngSize(Buffer.from(dataUri![1]!, "base64"))).toEqual({ width: 64, height: 48 });
  expect(files.requestsWithToken()).toEqual([]);

  // A follow-up typed in the Playground continues the same analysis.
  await playground.say(chatId, config.currentUser.id, "now only the East");
  await playground.waitForEvent(
    (e) => e.action === "createMessage" && (e.message?.text ?? "").includes("now only the East"),
  );
  await bot.waitForTurns(2);
  expect(new Set(bot.turns.map((t) => t.threadId)).size).toBe(1);

  // The Playground never tried to reach anything beyond this machine.
  expect(playground.blockedConnections()).toEqual([]);
}, 90_000);

test("a longer analysis streams into the Playground's personal chat and ends in the final answer", async () => {
  // The analysis moves on only once the Playground has shown each step, so the story does not depend on timing.
  const shown = (text: string) => playground.waitForEvent((e) => e.message?.text === text);
  backend.script = async (context) => {
    context.observer.onProgress({ kind: "running_code", code: "df.describe()" });
    await shown("Running Python code…");
    context.observer.onProgress({ kind: "text", text: "Revenue grew" });
    await shown("Revenue grew");
    return { ...defaultScript(context), text: "Revenue grew 12% in the East." };
  };
  const config = await playground.config();
  const chatId = config.personalChat.id;
  const before = playground.events.length;
  await playground.say(chatId, config.currentUser.id, "how did revenue change?");
  await playground.waitForEvent((e) => e.message?.text === "Revenue grew 12% in the East.");
  // Microsoft's emulator takes databot's stream: the informative update opens a message, the streamed text and
  // the final answer update that same message in place.
  const events = playground.events.slice(before, before + 3);
  expect(events.map((e) => `${e.action}: ${e.message?.text}`)).toEqual([
    "createMessage: Running Python code…",
    "updateMessage: Revenue grew",
    "updateMessage: Revenue grew 12% in the East.",
  ]);
  expect(new Set(events.map((e) => e.message!.messageId)).size).toBe(1);
  expect(playground.blockedConnections()).toEqual([]);
}, 60_000);
