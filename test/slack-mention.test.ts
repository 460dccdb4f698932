/**
 * People ask databot in Slack: mentions in channels, follow-ups in its threads, direct messages with files.
 * The whole server runs against the fake Slack; the analysis is the instant scripted backend.
 */
import { DatabotError, ErrorCode } from "../src/core/errors";
import { ScriptedBackend } from "./fakes/scripted-backend";
import { envelope } from "./fakes/slack/events";
import { DATABOT, FakeSlack, seedAcme, visibleText } from "./fakes/slack/fake-slack";
import { startTestDatabot, type TestDatabot } from "./support/harness";

const SALES_CSV = "region,revenue\nEast,120\nWest,95\n";
const mention = (text: string) => `<@${DATABOT.userId}> ${text}`;

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

test("a mention with a CSV in a channel gets one thread reply holding the answer and the chart", async () => {
  const asked = await slack.post("U0ANA", {
    channel: "C0SALES",
    text: mention("chart revenue by region"),
    files: [{ name: "sales.csv", content: SALES_CSV }],
  });
  // Slack sent the app_mention and its message twin; both were acknowledged.
  expect(asked.deliveries.map((d) => [d.body.event.type, d.status])).toEqual([
    ["app_mention", 200],
    ["message", 200],
  ]);
  await bot.waitForTurns(1);

  const replies = slack.databotReplies("C0SALES", asked.ts);
  expect(replies).toHaveLength(1);
  const reply = replies[0]!;
  expect(visibleText(reply)).toContain('Here is the chart for "chart revenue by region" using sales.csv');
  expect(visibleText(reply)).toContain("[Show code]");
  const shared = reply.files.map((id) => slack.state.files.get(id)!);
  expect(shared.map((f) => f.name)).toEqual(["chart.png", "summary.csv"]);
  expect(shared[0]!.bytes.subarray(1, 4).toString("latin1")).toBe("PNG");
  expect(shared[0]!.altText).toBe("Bar chart of revenue by region");
  expect(shared[1]!.bytes.toString("utf8")).toBe("region,revenue\nEast,120\nWest,95\n");
  // The analysis received the shared CSV, and the question without the mention, from Ana.
  const [thread] = [...backend.threads.values()];
  expect(thread!.messages[0]).toMatchObject({ text: "chart revenue by region", authorName: "Ana" });
  expect([...backend.files.values()][0]!.head.toString("utf8")).toBe(SALES_CSV);
  // Answered at once, so no status line was needed.
  expect(slack.state.statusHistory).toEqual([]);
  expect(bot.turns).toHaveLength(1);
});

test("the answer's Slack message is recorded as posted before its turn ends, so a crash cannot post it twice", async () => {
  backend.script = () => ({ text: "East sold the most.", images: [], files: [], code: [], notices: [] });
  const asked = await slack.post("U0ANA", { channel: "C0SALES", text: mention("which region sold most?") });
  await bot.waitForTurns(1);

  const [reply] = slack.databotReplies("C0SALES", asked.ts);
  const item = await bot.store.getItem(bot.turns[0]!.seq);
  expect(item?.status).toBe("done");
  expect(item?.checkpoint.posted).toMatchObject({ outcome: "done", ids: [reply!.ts] });
});

test("while a question takes a while, the thread shows what databot is doing until the answer arrives", async () => {
  let releaseUpload!: () => void;
  const uploadHeld = new Promise<void>((resolve) => (releaseUpload = resolve));
  const upload = backend.uploadFile.bind(backend);
  backend.uploadFile = async (file) => {
    await uploadHeld;
    return upload(file);
  };
  backend.holdRuns();
  const asked = await slack.post("U0ANA", {
    channel: "C0SALES",
    text: mention("chart revenue by region"),
    files: [{ name: "sales.csv", content: SALES_CSV }],
  });
  const status = () => slack.state.statuses.get(`C0SALES/${asked.ts}`)?.status;
  await slack.waitFor(() => status() === "is reading sales.csv…");
  releaseUpload();
  await slack.waitFor(() => status() === "is thinking…");
  expect(slack.state.statuses.get(`C0SALES/${asked.ts}`)?.loadingMessages).toContain("Looking at the data…");
  backend.releaseRuns();
  await bot.waitForTurns(1);

  expect(slack.databotReplies("C0SALES", asked.ts)).toHaveLength(1);
  expect(status()).toBeUndefined(); // Slack cleared it when the answer was posted, and nothing set it again
  expect(slack.state.statusHistory.map((s) => s.status)).toEqual(["is reading sales.csv…", "is thinking…"]);
});

test("a follow-up in databot's thread needs no mention and continues the same analysis", async () => {
  const asked = await slack.post("U0ANA", {
    channel: "C0FINANCE",
    text: mention("chart revenue by region"),
    files: [{ name: "sales.csv", content: SALES_CSV }],
  });
  await bot.waitForTurns(1);

  const followUp = await slack.post("U0BEN", {
    channel: "C0FINANCE",
    threadTs: asked.ts,
    text: "now as a line chart",
  });
  expect(followUp.deliveries.map((d) => d.body.event.type)).toEqual(["message"]);
  await bot.waitForTurns(2);

  expect(slack.databotReplies("C0FINANCE", asked.ts)).toHaveLength(2);
  expect(backend.threads.size).toBe(1);
  const [thread] = [...backend.threads.values()];
  expect(thread!.messages.map((m) => [m.text, m.authorName])).toEqual([
    ["chart revenue by region", "Ana"],
    ["now as a line chart", "Ben"],
  ]);
});

test("people talking in a thread databot was never asked in are left alone", async () => {
  const top = await slack.post("U0ANA", { channel: "C0SALES", text: "lunch at noon?" });
  const reply = await slack.post("U0BEN", { channel: "C0SALES", threadTs: top.ts, text: "sure" });
  expect(reply.deliveries.map((d) => d.status)).toEqual([200]);
  expect(await bot.store.unfinishedInThread(`slack:T0ACME:C0SALES:${top.ts}`)).toEqual([]);
  expect(slack.databotReplies("C0SALES", top.ts)).toEqual([]);
  expect(bot.turns).toHaveLength(0);
});

test("in databot's thread, a reply addressed to someone else is not taken as a question", async () => {
  const asked = await slack.post("U0ANA", { channel: "C0SALES", text: mention("summarize the numbers") });
  await bot.waitForTurns(1);
  await slack.post("U0BEN", {
    channel: "C0SALES",
    threadTs: asked.ts,
    text: "<@U0ANA> can you share the Q3 file?",
  });
  expect(await bot.store.unfinishedInThread(`slack:T0ACME:C0SALES:${asked.ts}`)).toEqual([]);
  expect(bot.turns).toHaveLength(1);
});

test("Slack's retries of an event and the app_mention/message twin produce one reply", async () => {
  const asked = await slack.post("U0ANA", { channel: "C0SALES", text: mention("top regions by revenue") });
  const [mentionEvent, messageTwin] = asked.deliveries;
  // Slack did not see our 200 in time and retries, twice, then the twin is retried too.
  expect((await slack.deliver(mentionEvent!.body, 1)).status).toBe(200);
  expect((await slack.deliver(mentionEvent!.body, 2)).status).toBe(200);
  expect((await slack.deliver(messageTwin!.body, 1)).status).toBe(200);
  await bot.waitForTurns(1);

  expect(await bot.store.unfinishedInThread(`slack:T0ACME:C0SALES:${asked.ts}`)).toEqual([]);
  expect(slack.databotReplies("C0SALES", asked.ts)).toHaveLength(1);
  expect(backend.runs).toHaveLength(1);
});

test("a refused file type gets a clear sentence while the other files are still analyzed", async () => {
  const asked = await slack.post("U0ANA", {
    channel: "C0SALES",
    text: mention("chart revenue by region"),
    files: [
      { name: "sales.csv", content: SALES_CSV },
      { name: "payload.exe", content: Buffer.from([0x4d, 0x5a, 0x90, 0x00]) },
    ],
  });
  await bot.waitForTurns(1);

  const [reply] = slack.databotReplies("C0SALES", asked.ts);
  const text = visibleText(reply!);
  expect(text).toContain('I couldn\'t use "payload.exe": this file type is not supported');
  expect(text).toContain("using sales.csv");
  // The refused file was judged by its name and never downloaded.
  expect(slack.requests.filter((r) => r.path.includes("payload.exe"))).toEqual([]);
});

test("a direct message with a file is answered in its thread, titled after the question", async () => {
  const dm = slack.directMessages("U0ANA");
  const asked = await slack.post("U0ANA", {
    channel: dm,
    text: "what is in this file?",
    files: [{ name: "sales.csv", content: SALES_CSV }],
  });
  expect(asked.deliveries.map((d) => [d.body.event.type, d.body.event.channel_type])).toEqual([
    ["message", "im"],
  ]);
  await bot.waitForTurns(1);

  const [reply] = slack.databotReplies(dm, asked.ts);
  expect(visibleText(reply!)).toContain('Here is the chart for "what is in this file?" using sales.csv');
  expect(reply!.files).toHaveLength(2);
  await slack.waitFor(() => slack.state.titles.length > 0);
  expect(slack.state.titles).toEqual([{ channel: dm, threadTs: asked.ts, title: "what is in this file?" }]);
});

test("opening databot's messages tab offers suggested prompts for the agent view", async () => {
  const opened = await slack.openMessagesTab("U0ANA");
  expect(opened?.status).toBe(200);
  const [prompts] = await slack.waitFor(
    () => slack.state.suggestedPrompts.length > 0 && slack.state.suggestedPrompts,
  );
  expect(prompts!.channel).toBe(slack.directMessages("U0ANA"));
  expect(prompts!.prompts.map((p) => p.title)).toContain("Chart a CSV");
  // Agent apps must not pass a thread_ts here (Slack would silently ignore the call).
  expect(slack.calls("assistant.threads.setSuggestedPrompts")[0]!.params).not.toHaveProperty("thread_ts");
});

test("databot's own messages and other bots' messages are not answered", async () => {
  const asked = await slack.post("U0ANA", { channel: "C0SALES", text: mention("summarize") });
  await bot.waitForTurns(1);
  // Slack sent databot its own reply back as a message event in the thread; it was acknowledged and ignored.
  const echoes = (await Promise.all(slack.echoes)).filter((d) => d !== undefined);
  expect(echoes.length).toBeGreaterThan(0);
  expect(echoes.every((d) => d.status === 200 && d.body.event.bot_id === DATABOT.botId)).toBe(true);
  // Another bot mentions databot in the thread.
  const fromBot = await slack.deliver(
    envelope({
      type: "message",
      subtype: "bot_message",
      bot_id: "B0OTHER",
      text: mention("what about me?"),
      ts: "1795500000.000900",
      channel: "C0SALES",
      channel_type: "channel",
      thread_ts: asked.ts,
    }),
  );
  expect(fromBot.status).toBe(200);
  expect(await bot.store.unfinishedInThread(`slack:T0ACME:C0SALES:${asked.ts}`)).toEqual([]);
  expect(bot.turns).toHaveLength(1);
});

test("when the analysis fails, the thread gets one short sentence with the reason, and `retry` answers", async () => {
  backend.faults.run = [
    new DatabotError(ErrorCode.BackendBusy, "The analysis service is busy right now.", { retryable: true }),
  ];
  const asked = await slack.post("U0ANA", {
    channel: "C0SALES",
    text: mention("chart revenue by region"),
    files: [{ name: "sales.csv", content: SALES_CSV }],
  });
  await bot.waitForTurns(1);
  const [failure] = slack.databotReplies("C0SALES", asked.ts);
  expect(visibleText(failure!)).toBe(
    "⚠️ The analysis service is busy right now. Say `retry` in this thread to try again.",
  );

  await slack.post("U0ANA", { channel: "C0SALES", threadTs: asked.ts, text: "retry" });
  await bot.waitForTurns(3);
  const replies = slack.databotReplies("C0SALES", asked.ts);
  expect(visibleText(replies.at(-1)!)).toContain("using sales.csv");
  expect(replies.at(-1)!.files).toHaveLength(2);
});

test("`help` in databot's thread explains what it does, as Markdown", async () => {
  const asked = await slack.post("U0ANA", { channel: "C0SALES", text: mention("help") });
  await bot.waitForTurns(1);
  const [help] = slack.databotReplies("C0SALES", asked.ts);
  expect(help!.blocks![0]).toMatchObject({ type: "markdown" });
  expect(visibleText(help!)).toContain("**databot** answers data questions in this thread.");
  expect(backend.runs).toHaveLength(0);
});
