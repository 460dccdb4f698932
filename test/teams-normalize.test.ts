/**
 * What databot understands from a Teams activity: which thread it belongs to (round-tripping through the
 * opaque thread id), whether databot was addressed, the question without the mention, and the files.
 */
import { TurnContext, type Activity } from "botbuilder";
import { normalizeActivity } from "../src/adapters/chat/teams/normalize";
import {
  conversationIdOf,
  rootMessageIdOf,
  teamsMessageId,
  teamsThreadId,
} from "../src/adapters/chat/teams/thread-ids";
import { decodeThreadId } from "../src/core/thread-id";
import {
  CHANNEL_ID,
  GRACE,
  channelMessage,
  downloadInfo,
  groupChatMessage,
  personalMessage,
} from "./fakes/teams/activities";

const SERVICE_URL = "https://smba.trafficmanager.net/emea/";

function normalize(activity: Partial<Activity>) {
  return normalizeActivity(activity as Activity, TurnContext.getConversationReference(activity));
}

test.each([
  ["personal chat", "a:1Xy-Z_09abcDEF"],
  ["group chat", "19:7a6b5c4d3e2f@thread.v2"],
  ["channel reply chain", "19:sales-analytics@thread.tacv2;messageid=1712345678901"],
  ["odd characters", "19:a%b:c;d@thread.skype;messageid=1"],
])("a %s conversation id round-trips through its thread id", (_kind, conversationId) => {
  const threadId = teamsThreadId(conversationId);
  expect(threadId.startsWith("teams:")).toBe(true);
  expect(conversationIdOf(threadId)).toBe(conversationId);
  expect(decodeThreadId(threadId)).toEqual({ platform: "teams", parts: [conversationId] });
});

test("messages in one reply chain share a thread; the message ids stay distinct", () => {
  const root = channelMessage({ serviceUrl: SERVICE_URL, text: "revenue by region" });
  const reply = channelMessage({ serviceUrl: SERVICE_URL, text: "and costs?", rootId: root.id, from: GRACE });
  const a = normalize(root).message;
  const b = normalize(reply).message;
  expect(a.threadId).toBe(b.threadId);
  expect(conversationIdOf(a.threadId)).toBe(`${CHANNEL_ID};messageid=${root.id}`);
  expect(rootMessageIdOf(conversationIdOf(b.threadId))).toBe(root.id);
  expect(a.id).toBe(teamsMessageId(root.conversation!.id, root.id!));
  expect(a.id).not.toBe(b.id);
  expect(b.author).toEqual({ id: GRACE.aadObjectId, name: GRACE.name });
});

test("a channel mention is addressed, the mention is removed, and Graph is told where the message lives", () => {
  const post = channelMessage({
    serviceUrl: SERVICE_URL,
    text: "chart <at>Grace Hopper</at>'s numbers&nbsp;please",
  });
  const normalized = normalize(post);
  expect(normalized.addressed).toBe(true);
  expect(normalized.message.text).toBe("chart Grace Hopper's numbers please");
  expect(normalized.graphLookup).toEqual({
    kind: "channel",
    teamId: "4e8a1c36-0000-0000-0000-0000000000aa",
    channelId: CHANNEL_ID,
    rootId: post.id,
    messageId: post.id,
  });
  const context = normalized.message.context as { scope: string; reference: { serviceUrl: string } };
  expect(context.scope).toBe("channel");
  expect(context.reference.serviceUrl).toBe(SERVICE_URL);
});

test("group chat messages without a mention are not addressed; personal chats always are", () => {
  expect(
    normalize(
      groupChatMessage({ serviceUrl: SERVICE_URL, chatId: "19:x@thread.v2", text: "hi", mention: false }),
    ).addressed,
  ).toBe(false);
  expect(normalize(personalMessage({ serviceUrl: SERVICE_URL, text: "hi" })).addressed).toBe(true);
});

test("personal-chat files and pasted images become attachments; no token or secret is stored with them", () => {
  const activity = personalMessage({
    serviceUrl: SERVICE_URL,
    text: "compare",
    attachments: [
      downloadInfo("sales.csv", "https://contoso-my.sharepoint.com/download.aspx?tempauth=abc"),
      { contentType: "image/png", contentUrl: `${SERVICE_URL}v3/attachments/0-1/views/original` },
      { contentType: "text/html", content: "<p>compare</p>" },
    ],
  });
  const { attachments } = normalize(activity).message;
  expect(attachments).toEqual([
    {
      name: "sales.csv",
      mimeType: "application/csv",
      ref: { kind: "download", url: "https://contoso-my.sharepoint.com/download.aspx?tempauth=abc" },
    },
    {
      name: "pasted-image-1.png",
      mimeType: "image/png",
      ref: {
        kind: "connector",
        url: `${SERVICE_URL}v3/attachments/0-1/views/original`,
        serviceUrl: SERVICE_URL,
      },
    },
  ]);
});

test("a channel post that arrives without its reply-chain suffix is answered in its own chain", () => {
  const post = channelMessage({ serviceUrl: SERVICE_URL, text: "revenue" });
  post.conversation = { ...post.conversation!, id: CHANNEL_ID };
  const { message } = normalize(post);
  const chain = `${CHANNEL_ID};messageid=${post.id}`;
  expect(conversationIdOf(message.threadId)).toBe(chain);
  expect((message.context as { reference: { conversation: { id: string } } }).reference.conversation.id).toBe(
    chain,
  );
});
