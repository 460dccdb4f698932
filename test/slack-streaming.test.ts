/**
 * Answers that take a while: the text appears in the thread as it is written (Slack's native streaming where
 * the workspace allows it, otherwise a message that is edited), and it still finishes when Slack ends the
 * stream after its five minutes. Long answers are split at Slack's 12,000 characters.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { AgentOutput } from "../src/core/ports";
import { slackSurface } from "../src/app/surfaces";
import { ScriptedBackend, type ScriptContext } from "./fakes/scripted-backend";
import { DATABOT, FakeSlack, seedAcme, visibleText } from "./fakes/slack/fake-slack";
import { makePng } from "./support/png";
import { startTestDatabot, type TestDatabot } from "./support/harness";

const mention = (text: string) => `<@${DATABOT.userId}> ${text}`;
const CODE = [{ language: "python" as const, code: "df.groupby('region').revenue.sum()" }];

let slack: FakeSlack;
let bot: TestDatabot;
let backend: ScriptedBackend;

async function start(options: { streaming?: boolean } = {}): Promise<void> {
  slack = await FakeSlack.start({ streaming: options.streaming ?? true });
  seedAcme(slack);
  backend = new ScriptedBackend();
  bot = await startTestDatabot({
    env: slack.env(),
    backend,
    // Show the answer as soon as text arrives, and write every change, so the story needs no waiting.
    surfaces: [slackSurface({ timings: { streamAfterMs: 0, writeIntervalMs: 0 } })],
  });
  slack.eventsUrl = `${bot.url}/slack/events`;
}

afterEach(async () => {
  await bot.close();
  await slack.close();
});

/** An answer written in parts; each part waits until Slack has shown the previous one. */
function writesInParts(parts: string[], final: Partial<AgentOutput>, shown: (text: string) => boolean) {
  return async (context: ScriptContext): Promise<AgentOutput> => {
    let text = "";
    for (const part of parts) {
      text += part;
      context.observer.onProgress({ kind: "text", text });
      const expected = text;
      await slack.waitFor(() => shown(expected), 10_000, `"${expected}" to show in Slack`);
    }
    return { text, images: [], files: [], code: CODE, notices: [], ...final };
  };
}

function liveMessage(channel: string, threadTs: string) {
  return slack.databotReplies(channel, threadTs)[0];
}

test("an answer still being written streams into the thread and finishes in place with its Show code button", async () => {
  await start();
  let threadTs = "";
  backend.script = writesInParts(
    ["Revenue grew ", "12% in the East ", "and 3% in the West."],
    {},
    (text) => liveMessage("C0SALES", threadTs)?.markdownText === text,
  );
  const asked = await slack.post("U0ANA", { channel: "C0SALES", text: mention("how did revenue change?") });
  threadTs = asked.ts;
  await bot.waitForTurns(1);

  const replies = slack.databotReplies("C0SALES", asked.ts);
  expect(replies).toHaveLength(1);
  expect(replies[0]!.stream).toMatchObject({
    state: "stopped",
    recipientUser: "U0ANA",
    recipientTeam: "T0ACME",
  });
  expect(visibleText(replies[0]!)).toBe("Revenue grew 12% in the East and 3% in the West.\n[Show code]");
  expect(slack.calls("chat.startStream")).toHaveLength(1);
  expect(slack.calls("chat.appendStream").length).toBeGreaterThanOrEqual(1);
  expect(slack.calls("chat.update")).toHaveLength(0);
});

test("when Slack ends the stream after five minutes, the answer continues and finishes by editing the message", async () => {
  await start();
  let threadTs = "";
  backend.script = async (context) => {
    context.observer.onProgress({ kind: "text", text: "Part one." });
    await slack.waitFor(() => liveMessage("C0SALES", threadTs)?.markdownText === "Part one.");
    slack.streamLifetimeMs = 0; // five minutes have passed: Slack no longer accepts appends to the stream
    context.observer.onProgress({ kind: "text", text: "Part one. Part two." });
    await slack.waitFor(
      () => visibleText(liveMessage("C0SALES", threadTs) ?? ({} as never)) === "Part one. Part two.",
    );
    return { text: "Part one. Part two. Part three.", images: [], files: [], code: CODE, notices: [] };
  };
  const asked = await slack.post("U0ANA", { channel: "C0SALES", text: mention("write a long report") });
  threadTs = asked.ts;
  await bot.waitForTurns(1);

  const replies = slack.databotReplies("C0SALES", asked.ts);
  expect(replies).toHaveLength(1);
  expect(visibleText(replies[0]!)).toBe("Part one. Part two. Part three.\n[Show code]");
  expect(
    slack.requests.some(
      (r) => r.apiMethod === "chat.appendStream" && r.error === "message_not_in_streaming_state",
    ),
  ).toBe(true);
  expect(slack.calls("chat.update").length).toBeGreaterThanOrEqual(2);
});

test("a workspace without native streaming sees the answer posted and edited as it is written", async () => {
  await start({ streaming: false });
  let threadTs = "";
  backend.script = writesInParts(
    ["Two regions ", "lead the table."],
    {},
    (text) => liveMessage("C0SALES", threadTs)?.markdownText === text,
  );
  const asked = await slack.post("U0ANA", { channel: "C0SALES", text: mention("who leads?") });
  threadTs = asked.ts;
  await bot.waitForTurns(1);

  const replies = slack.databotReplies("C0SALES", asked.ts);
  expect(replies).toHaveLength(1);
  expect(replies[0]!.stream).toBeUndefined();
  expect(visibleText(replies[0]!)).toBe("Two regions lead the table.\n[Show code]");
  expect(slack.calls("chat.startStream")[0]!.error).toBe("feature_not_enabled");
  expect(slack.calls("chat.postMessage")).toHaveLength(1);
});

test("a streamed answer with a chart finishes its text, then shares the chart in one message under it", async () => {
  await start();
  let threadTs = "";
  backend.script = writesInParts(
    ["East leads."],
    { images: [{ name: "chart.png", data: makePng(32, 24), alt: "Revenue by region" }] },
    (text) => liveMessage("C0SALES", threadTs)?.markdownText === text,
  );
  const asked = await slack.post("U0ANA", { channel: "C0SALES", text: mention("chart it") });
  threadTs = asked.ts;
  await bot.waitForTurns(1);

  const [text, chart] = slack.databotReplies("C0SALES", asked.ts);
  expect(visibleText(text!)).toBe("East leads.");
  expect(chart!.files.map((id) => slack.state.files.get(id)!.name)).toEqual(["chart.png"]);
  expect(visibleText(chart!)).toBe("[Show code]");
});

test("an answer longer than Slack's 12,000 characters arrives in several messages, none over the limit", async () => {
  await start();
  const paragraphs = Array.from(
    { length: 60 },
    (_, i) => `Paragraph ${i + 1}: ${"revenue detail ".repeat(20).trim()}.`,
  );
  backend.script = () => ({ text: paragraphs.join("\n\n"), images: [], files: [], code: CODE, notices: [] });
  const asked = await slack.post("U0ANA", { channel: "C0SALES", text: mention("explain everything") });
  await bot.waitForTurns(1);

  const replies = slack.databotReplies("C0SALES", asked.ts);
  expect(replies.length).toBe(2);
  const texts = replies.map((r) => visibleText(r));
  for (const reply of replies) expect(String(reply.blocks![0]!.text).length).toBeLessThanOrEqual(12_000);
  expect(texts.join("\n")).toContain("Paragraph 1:");
  expect(texts.join("\n")).toContain("Paragraph 60:");
  expect(texts[1]!.endsWith("[Show code]")).toBe(true);
  expect(texts[0]).not.toContain("[Show code]");
});

test("after a restart in the middle of a streamed answer, the same message is finished rather than a second one posted", async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "databot-slack-resume-"));
  slack = await FakeSlack.start();
  seedAcme(slack);
  backend = new ScriptedBackend();
  let finishAnswer!: () => void;
  const rest = new Promise<void>((resolve) => (finishAnswer = resolve));
  backend.script = async (context) => {
    context.observer.onProgress({ kind: "text", text: "Half of the answer" });
    await rest;
    return { text: "Half of the answer, and the rest.", images: [], files: [], code: CODE, notices: [] };
  };
  const start = () =>
    startTestDatabot({
      env: slack.env(),
      backend,
      dataDir,
      surfaces: [slackSurface({ timings: { streamAfterMs: 0, writeIntervalMs: 0 } })],
    });
  try {
    const first = await start();
    slack.eventsUrl = `${first.url}/slack/events`;
    const asked = await slack.post("U0ANA", { channel: "C0SALES", text: mention("write it up") });
    await slack.waitFor(() => liveMessage("C0SALES", asked.ts)?.markdownText === "Half of the answer");
    await first.close(50); // stops before the answer is complete: the turn is left for a resume

    bot = await start();
    slack.eventsUrl = `${bot.url}/slack/events`;
    finishAnswer();
    await bot.waitForTurns(1);
    const replies = slack.databotReplies("C0SALES", asked.ts);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.stream?.state).toBe("stopped");
    expect(visibleText(replies[0]!)).toBe("Half of the answer, and the rest.\n[Show code]");
  } finally {
    finishAnswer();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
