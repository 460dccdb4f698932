/**
 * The pure translation from Slack's payloads to databot's messages, and the text helpers, without a server.
 */
import { mayReceiveToken } from "../src/adapters/chat/slack/download";
import { fallbackText, splitMarkdown, toMrkdwn } from "../src/adapters/chat/slack/mrkdwn";
import {
  answerTarget,
  classify,
  normalizeMessage,
  parseSlackThreadId,
  plainText,
  slackThreadId,
  toAttachment,
} from "../src/adapters/chat/slack/normalize";
import type { SlackEnvelope, SlackMessageEvent } from "../src/adapters/chat/slack/slack-types";

const identity = { userId: "U0BOT", botId: "B0BOT", appId: "A0BOT" };
const envelope: SlackEnvelope = { team_id: "T0ACME", api_app_id: "A0BOT", event_id: "Ev0001" };
const event = (overrides: Partial<SlackMessageEvent> = {}): SlackMessageEvent => ({
  type: "message",
  channel: "C0SALES",
  channel_type: "channel",
  user: "U0ANA",
  text: "hello",
  ts: "1712345678.000100",
  ...overrides,
});

test("a Slack thread id round-trips, whatever its parts contain", () => {
  for (const thread of [
    { team: "T0ACME", channel: "C0SALES", threadTs: "1712345678.000100" },
    { team: "E0GRID:T0ACME", channel: "D0ANA", threadTs: "1.2" },
  ]) {
    const id = slackThreadId(thread);
    expect(id.startsWith("slack:")).toBe(true);
    expect(parseSlackThreadId(id)).toEqual(thread);
  }
  expect(slackThreadId({ team: "T1", channel: "C1", threadTs: "1712345678.000100" })).toBe(
    "slack:T1:C1:1712345678.000100",
  );
  expect(() => parseSlackThreadId("teams:abc")).toThrow();
});

test("which messages databot answers", () => {
  const options = { identity, answerBots: false };
  expect(classify(event({ type: "app_mention", text: "<@U0BOT> chart it" }), options)).toBe("mention");
  expect(classify(event({ text: "<@U0BOT> chart it" }), options)).toBe("mention"); // the message twin
  expect(classify(event({ channel_type: "im", channel: "D0ANA" }), options)).toBe("direct");
  expect(classify(event({ thread_ts: "1712345600.000001" }), options)).toBe("thread_reply");
  expect(classify(event(), options)).toBe("ignore"); // top-level chatter
  expect(classify(event({ thread_ts: "1712345600.000001", text: "<@U0BEN> see this" }), options)).toBe(
    "ignore",
  );
  expect(classify(event({ subtype: "message_changed" }), options)).toBe("ignore");
  expect(classify(event({ subtype: "channel_join", text: "<@U0BOT> joined" }), options)).toBe("ignore");
  expect(classify(event({ user: "U0BOT", text: "<@U0BOT>" }), options)).toBe("ignore");
  expect(classify(event({ app_id: "A0BOT", bot_id: "B0BOT", text: "<@U0BOT>" }), options)).toBe("ignore");
  expect(classify(event({ bot_id: "B0OTHER", subtype: "bot_message", text: "<@U0BOT> hi" }), options)).toBe(
    "ignore",
  );
  expect(
    classify(event({ bot_id: "B0OTHER", subtype: "bot_message", text: "<@U0BOT> hi" }), {
      identity,
      answerBots: true,
    }),
  ).toBe("mention");
  expect(
    classify(
      event({ subtype: "file_share", text: "", files: [{ id: "F1", name: "a.csv" }], channel_type: "im" }),
      options,
    ),
  ).toBe("direct");
  expect(classify(event({ text: "   ", channel_type: "im" }), options)).toBe("ignore");
});

test("a message and its twin, and every retry, normalize to the same id; the event id is an alternate", () => {
  const mention = normalizeMessage(event({ type: "app_mention", text: "<@U0BOT> chart revenue" }), envelope, {
    identity,
  });
  const twin = normalizeMessage(
    event({ text: "<@U0BOT> chart revenue" }),
    { ...envelope, event_id: "Ev0002" },
    { identity },
  );
  expect(mention.id).toBe(twin.id);
  expect(mention.id).toBe("slack:T0ACME:C0SALES:1712345678.000100");
  expect(mention.alternateIds).toEqual(["slack-event:Ev0001"]);
  expect(twin.alternateIds).toEqual(["slack-event:Ev0002"]);
  expect(mention.text).toBe("chart revenue");
  expect(mention.threadId).toBe("slack:T0ACME:C0SALES:1712345678.000100"); // a top-level mention starts the thread
  const reply = normalizeMessage(
    event({ thread_ts: "1712345600.000001", ts: "1712345700.000001" }),
    envelope,
    { identity, authorName: "Ana" },
  );
  expect(reply.threadId).toBe("slack:T0ACME:C0SALES:1712345600.000001");
  expect(reply.author).toEqual({ id: "U0ANA", name: "Ana" });
  expect(reply.sentAt).toBe("2024-04-05T19:35:00.000Z");
  expect(answerTarget(reply)).toEqual({
    team: "T0ACME",
    channel: "C0SALES",
    threadTs: "1712345600.000001",
    channelType: "channel",
    recipientUser: "U0ANA",
    recipientTeam: "T0ACME",
  });
  expect(JSON.parse(JSON.stringify(reply))).toEqual(reply); // survives the inbox
});

test("shared files become serialisable attachments that hold no token", () => {
  expect(
    toAttachment({
      id: "F1",
      name: "sales.csv",
      mimetype: "text/csv",
      size: 42,
      url_private_download: "https://files.slack.com/files-pri/T-F1/download/sales.csv",
    }),
  ).toEqual({
    name: "sales.csv",
    mimeType: "text/csv",
    size: 42,
    ref: { id: "F1", url: "https://files.slack.com/files-pri/T-F1/download/sales.csv" },
  });
  expect(toAttachment({ id: "F2", file_access: "check_file_info", name: "x.csv" })?.ref).toEqual({
    id: "F2",
    access: "check_file_info",
  });
  expect(toAttachment({ id: "F3", mode: "tombstone" })).toBeUndefined();
});

test("Slack markup becomes plain text for the analysis", () => {
  expect(
    plainText(
      "<@U0BOT> chart <#C0SALES|sales> for <@U0ANA|ana> &amp; <https://x.example/q?a=1|the report> &lt;3",
      "U0BOT",
    ),
  ).toBe("chart #sales for @ana & the report (https://x.example/q?a=1) <3");
  expect(plainText("<@U0BOT>\n  line two  ", "U0BOT")).toBe("line two");
});

test("the bot token may go to Slack's hosts over https and to the configured API origin, nowhere else", () => {
  const api = "http://127.0.0.1:4100";
  expect(mayReceiveToken(new URL("https://files.slack.com/files-pri/T-F/download/a.csv"), api)).toBe(true);
  expect(mayReceiveToken(new URL("https://files.slack-gov.com/x"), api)).toBe(true);
  expect(mayReceiveToken(new URL("http://127.0.0.1:4100/files-pri/x"), api)).toBe(true);
  expect(mayReceiveToken(new URL("http://files.slack.com/x"), api)).toBe(false);
  expect(mayReceiveToken(new URL("https://slack.com.evil.example/x"), api)).toBe(false);
  expect(mayReceiveToken(new URL("https://evilslack.com/x"), api)).toBe(false);
  expect(mayReceiveToken(new URL("http://localhost:4100/x"), api)).toBe(false);
  expect(mayReceiveToken(new URL("http://127.0.0.1:4101/x"), api)).toBe(false);
});

test("long Markdown splits under the limit, closing and reopening a code block it cuts", () => {
  const text = `Intro\n\n\`\`\`python\n${"x = 1\n".repeat(40)}\`\`\`\n\nOutro`;
  const pieces = splitMarkdown(text, 120);
  expect(pieces.length).toBeGreaterThan(1);
  for (const piece of pieces) {
    expect(piece.length).toBeLessThanOrEqual(120);
    expect((piece.match(/```/g) ?? []).length % 2).toBe(0);
  }
  expect(
    pieces
      .join("")
      .replace(/```python\n|```\n?/g, "")
      .replace(/\s+/g, ""),
  ).toBe(text.replace(/```python\n|```\n?/g, "").replace(/\s+/g, ""));
  expect(splitMarkdown("short", 120)).toEqual(["short"]);
});

test("Markdown converts to mrkdwn for file-share messages", () => {
  expect(toMrkdwn("**East** grew [a lot](https://x.example)")).toContain("*East*");
  expect(toMrkdwn("see [the report](https://x.example)")).toContain("<https://x.example|the report>");
  expect(fallbackText("## Title\n\n**Bold** and `code`")).toBe("Title Bold and code");
});
