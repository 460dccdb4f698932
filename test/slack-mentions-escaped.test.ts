/**
 * An answer can quote anything: a model may write `<!channel>`, and a spreadsheet cell or a file name may hold
 * `<@U…>` or `<!subteam^…>`. In Slack none of it notifies anyone or becomes a command — in a text answer, in an
 * answer shared with a chart, in a streamed answer, in a refused file's notice — and people see the characters
 * as they were written. Only http(s) links stay links.
 */
import { Readable } from "node:stream";
import type { AgentOutput } from "../src/core/ports";
import { ScriptedBackend } from "./fakes/scripted-backend";
import { DATABOT, FakeSlack, seedAcme, slackCommands, visibleText } from "./fakes/slack/fake-slack";
import { startTestDatabot, type TestDatabot } from "./support/harness";
import { makePng } from "./support/png";

const HOSTILE =
  "Top customers: <!channel> <!here> <!everyone> <@U0BEN> <#C0SALES> <!subteam^S0ALL|@everyone-team> " +
  "and <https://evil.example|a harmless link>, [click](javascript:alert(1)), [notes](slack://open), " +
  "`<!here>` & [the report](https://reports.example.com/q3?a=1&b=2).";

let slack: FakeSlack;
let bot: TestDatabot;
let backend: ScriptedBackend;

beforeEach(async () => {
  slack = await FakeSlack.start();
  seedAcme(slack);
  backend = new ScriptedBackend();
  bot = await startTestDatabot({ env: slack.env(), backend });
  slack.eventsUrl = `${bot.url}/slack/events`;
});

afterEach(async () => {
  await bot.close();
  await slack.close();
});

const mention = (text: string) => `<@${DATABOT.userId}> ${text}`;

function answer(withChart: boolean): AgentOutput {
  return {
    text: HOSTILE,
    images: withChart ? [{ name: "chart.png", data: makePng(40, 30, 1), alt: "Bar chart <!here>" }] : [],
    files: withChart
      ? [{ name: "top.csv", mimeType: "text/csv", size: 4, open: async () => Readable.from(["a,b\n"]) }]
      : [],
    code: [],
    notices: [{ kind: "info", message: "Column <@U0BEN> was empty & skipped." }],
  };
}

async function ask(text: string) {
  const asked = await slack.post("U0ANA", { channel: "C0SALES", text: mention(text) });
  await bot.waitForTurns(bot.turns.length + 1);
  return slack.databotReplies("C0SALES", asked.ts);
}

function expectHarmless(replies: ReturnType<FakeSlack["databotReplies"]>) {
  expect(replies.length).toBeGreaterThan(0);
  for (const reply of replies) {
    const { mentions, links } = slackCommands(reply);
    expect(mentions).toEqual([]);
    for (const link of links) expect(link).toMatch(/^https:\/\//);
  }
  const shown = replies.map(visibleText).join("\n");
  // People read exactly what was written, angle brackets and all.
  expect(shown).toContain("<!channel> <!here> <!everyone> <@U0BEN> <#C0SALES>");
  expect(shown).toContain("Column <@U0BEN> was empty & skipped.");
}

test("a text answer quoting @channel, people and groups notifies no one", async () => {
  backend.script = () => answer(false);
  const replies = await ask("who are our top customers?");
  expectHarmless(replies);
  const links = replies.flatMap((r) => slackCommands(r).links);
  expect(links).toContain("https://reports.example.com/q3?a=1&amp;b=2");
  expect(links.some((l) => /javascript|slack:/.test(l))).toBe(false);
  // Slack's own link syntax from the data is shown as text, so its label cannot disguise where it goes.
  expect(replies.map(visibleText).join("\n")).toContain("<https://evil.example|a harmless link>");
});

test("an answer shared with a chart (mrkdwn sections) notifies no one either", async () => {
  backend.script = () => answer(true);
  const replies = await ask("chart our top customers");
  expect(replies.some((r) => r.files.length > 0)).toBe(true);
  expectHarmless(replies);
});

test("a streamed answer notifies no one while it is written, nor when it is finished", async () => {
  backend.script = async (context) => {
    for (let end = 40; end < HOSTILE.length; end += 40) {
      context.observer.onProgress({ kind: "text", text: HOSTILE.slice(0, end) });
      await new Promise((r) => setTimeout(r, 60));
    }
    return answer(false);
  };
  const replies = await ask("stream our top customers");
  expectHarmless(replies);
  // Every write on the way, not only the final one, was escaped.
  for (const call of [
    ...slack.calls("chat.startStream"),
    ...slack.calls("chat.appendStream"),
    ...slack.calls("chat.update"),
  ]) {
    const sent = String(call.params?.markdown_text ?? "");
    expect(sent).not.toMatch(/<[!@#]/);
  }
});

test("a shared file whose name holds a mention is refused without notifying anyone", async () => {
  const asked = await slack.post("U0ANA", {
    channel: "C0SALES",
    text: mention("look at this"),
    files: [{ name: "<!channel>.exe", content: "MZ" }],
  });
  await bot.waitForTurns(1);
  const replies = slack.databotReplies("C0SALES", asked.ts);
  expect(replies.flatMap((r) => slackCommands(r).mentions)).toEqual([]);
  expect(replies.map(visibleText).join("\n")).toContain("<!channel>.exe");
});
