/**
 * Group chats: databot answers when mentioned, reads files shared in the chat through Graph, and the whole chat
 * is one analysis thread.
 */
import { GRACE, groupChatMessage } from "./fakes/teams/activities";
import { startTeamsWorld, type TeamsWorld } from "./fakes/teams/world";

let world: TeamsWorld;
afterEach(async () => world?.close());

const CHAT_ID = "19:7a6b5c4d3e2f4a1b9c8d7e6f5a4b3c2d@thread.v2";
const XLSX_LIKE = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 7)]);

test("a spreadsheet shared in a group chat with a mention is read through Graph and answered in the chat", async () => {
  world = await startTeamsWorld({ graph: "static" });
  const { connector, graph, backend, sharepoint } = world;
  const file = graph!.addFile("budget.xlsx", XLSX_LIKE);
  const message = groupChatMessage({
    serviceUrl: connector.serviceUrl,
    chatId: CHAT_ID,
    text: "which team is over budget?",
  });
  message.attachments![0]!.content += graph!.addChatMessage(CHAT_ID, message.id!, [file]);

  expect((await world.post(message)).status).toBe(200);
  const answer = await connector.waitFor((posted) =>
    posted.find(
      (p) =>
        p.conversationId === CHAT_ID && p.activity.attachments?.some((a) => a.contentType === "image/png"),
    ),
  );
  expect(answer.activity.text).toContain("which team is over budget?");
  expect(answer.activity.text).toContain("budget.xlsx");
  expect(graph!.requests.map((r) => decodeURIComponent(r.path))).toContain(
    `/v1.0/chats/${CHAT_ID}/messages/${message.id}`,
  );
  const received = [...backend.files.values()].find((f) => f.name === "budget.xlsx")!;
  expect(received.bytes).toBe(XLSX_LIKE.length);
  expect(sharepoint.requestsWithToken()).toEqual([]);

  // A later mention by someone else in the same chat continues the same analysis.
  await world.post(
    groupChatMessage({
      serviceUrl: connector.serviceUrl,
      chatId: CHAT_ID,
      text: "and by quarter?",
      from: GRACE,
    }),
  );
  await world.bot.waitForTurns(2);
  expect(new Set(backend.runs.map((r) => r.threadId)).size).toBe(1);
  // Chatter without a mention is not answered.
  await world.post(
    groupChatMessage({ serviceUrl: connector.serviceUrl, chatId: CHAT_ID, text: "thanks!", mention: false }),
  );
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(world.bot.turns).toHaveLength(2);
});

test("when Graph denies access, the person learns the file could not be opened and why", async () => {
  world = await startTeamsWorld({ graph: "static" });
  const { connector } = world;
  // A message Graph does not know (no permission on that chat) shows files placeholders in its HTML.
  const message = groupChatMessage({
    serviceUrl: connector.serviceUrl,
    chatId: CHAT_ID,
    text: "chart it",
    html: '<attachment id="0d0c0b0a-0000-0000-0000-000000000009"></attachment>',
  });
  await world.post(message);
  const answer = await connector.waitFor((posted) =>
    posted.find((p) => p.conversationId === CHAT_ID && p.activity.text),
  );
  expect(answer.activity.text).toContain("I couldn't open the files shared with this message");
  expect(answer.activity.text).toContain("Microsoft Graph could not find this message");
});
