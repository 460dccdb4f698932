/**
 * Personal chat: someone attaches a CSV in their 1:1 chat with databot and asks a question. databot reads the
 * file through Teams' pre-authorized download link, answers with text and the chart inline, and offers the
 * generated file through Teams' file consent card.
 */
import path from "node:path";
import type { Activity } from "botbuilder";
import { downloadInfo, fileConsentInvoke, personalMessage, cardSubmit } from "./fakes/teams/activities";
import { FILE_CONSENT_CARD, FILE_INFO_CARD, ADAPTIVE_CARD } from "../src/adapters/chat/teams/cards";
import { startTeamsWorld, type TeamsWorld } from "./fakes/teams/world";
import { pngSize } from "./support/png";
import { SqliteStore } from "../src/adapters/stores/sqlite/sqlite-store";

let world: TeamsWorld;
afterEach(async () => world?.close());

const CSV = "month,region,revenue\n2024-01,East,120\n2024-01,West,95\n2024-02,East,130\n";

test("a CSV attached in a 1:1 chat gets a chart reply, and the generated file arrives through the consent card", async () => {
  world = await startTeamsWorld();
  const { connector, sharepoint } = world;
  const url = sharepoint.downloadUrl({ name: "sales.csv", data: Buffer.from(CSV) });
  const question = personalMessage({
    serviceUrl: connector.serviceUrl,
    text: "chart monthly revenue by region",
    attachments: [downloadInfo("sales.csv", url)],
  });

  const ack = await world.post(question);
  expect(ack.status).toBe(200);

  // The answer: text naming the file and the question, with the chart inline as a PNG data URI.
  const conversationId = question.conversation!.id;
  const answer = await connector.waitFor((posted) =>
    posted.find(
      (p) =>
        p.conversationId === conversationId &&
        p.activity.attachments?.some((a) => a.contentType === "image/png"),
    ),
  );
  expect(answer.activity.text).toContain("chart monthly revenue by region");
  expect(answer.activity.text).toContain("sales.csv");
  const image = answer.activity.attachments!.find((a) => a.contentType === "image/png")!;
  expect(image.contentUrl).toMatch(/^data:image\/png;base64,/);
  expect(pngSize(Buffer.from(image.contentUrl!.split(",")[1]!, "base64"))).toEqual({ width: 64, height: 48 });
  expect(answer.activity.attachments!.some((a) => a.contentType === ADAPTIVE_CARD)).toBe(true);

  // The backend received the CSV bytes, downloaded without any credential.
  const uploaded = [...world.backend.files.values()].find((f) => f.name === "sales.csv")!;
  expect(uploaded.head.toString()).toBe(CSV);
  expect(sharepoint.requests.some((r) => r.path.startsWith("/download/"))).toBe(true);
  expect(sharepoint.requestsWithToken()).toEqual([]);

  // The generated summary.csv is offered with a consent card; the person clicks Allow.
  const consent = await connector.waitFor((posted) =>
    posted.find((p) => p.activity.attachments?.some((a) => a.contentType === FILE_CONSENT_CARD)),
  );
  const card = consent.activity.attachments![0]!;
  expect(card.name).toBe("summary.csv");
  const content = card.content as { sizeInBytes: number; acceptContext: unknown };
  expect(content.sizeInBytes).toBe("region,revenue\nEast,120\nWest,95\n".length);
  const { uploadUrl } = sharepoint.createUploadSession(
    "summary.csv",
    "https://contoso-my.sharepoint.com/personal/ada/Documents",
  );
  const invoke = await world.post(
    fileConsentInvoke(question, consent.id, "accept", content.acceptContext, {
      name: "summary.csv",
      uploadUrl,
      contentUrl: "https://contoso-my.sharepoint.com/personal/ada/Documents/summary.csv",
      uniqueId: "1150D938-8870-4044-9F2C-5BBDEBA70C9D",
      fileType: "csv",
    }),
  );
  expect(invoke.status).toBe(200);

  const fileCard = await connector.waitFor((posted) =>
    posted.find((p) => p.activity.attachments?.some((a) => a.contentType === FILE_INFO_CARD)),
  );
  expect(fileCard.activity.attachments![0]).toMatchObject({
    contentType: FILE_INFO_CARD,
    name: "summary.csv",
    contentUrl: "https://contoso-my.sharepoint.com/personal/ada/Documents/summary.csv",
    content: { uniqueId: "1150D938-8870-4044-9F2C-5BBDEBA70C9D", fileType: "csv" },
  });
  expect(sharepoint.uploaded("summary.csv")!.toString()).toBe("region,revenue\nEast,120\nWest,95\n");
  // The consent card goes away once the file is saved.
  await connector.waitFor((posted) => posted.find((p) => p.method === "DELETE" && p.id === consent.id));
});

test("declining the consent card keeps the file out of OneDrive and says so", async () => {
  world = await startTeamsWorld();
  const { connector } = world;
  const question = personalMessage({ serviceUrl: connector.serviceUrl, text: "summarise revenue" });
  await world.post(question);
  const consent = await connector.waitFor((posted) =>
    posted.find((p) => p.activity.attachments?.some((a) => a.contentType === FILE_CONSENT_CARD)),
  );
  const content = consent.activity.attachments![0]!.content as { declineContext: unknown };
  const invoke = await world.post(fileConsentInvoke(question, consent.id, "decline", content.declineContext));
  expect(invoke.status).toBe(200);
  const said = await connector.waitFor((posted) =>
    posted.find(
      (p) => p.activity.type === "message" && /didn't save \*\*summary\.csv\*\*/.test(p.activity.text ?? ""),
    ),
  );
  expect(said).toBeDefined();
});

test("Show code posts the code the analysis ran", async () => {
  world = await startTeamsWorld();
  const { connector } = world;
  const question = personalMessage({ serviceUrl: connector.serviceUrl, text: "revenue by region" });
  await world.post(question);
  const answer = await connector.waitFor((posted) =>
    posted.find((p) => p.activity.attachments?.some((a) => a.contentType === ADAPTIVE_CARD)),
  );
  const card = answer.activity.attachments!.find((a) => a.contentType === ADAPTIVE_CARD)!.content as {
    actions: { type: string; title: string; data: unknown }[];
  };
  expect(card.actions[0]).toMatchObject({ type: "Action.Submit", title: "Show code" });

  await world.post(cardSubmit(question, answer.id, card.actions[0]!.data));
  const code = await connector.waitFor((posted) =>
    posted.find((p) => p.activity.type === "message" && (p.activity.text ?? "").startsWith("```python")),
  );
  expect(code.activity.text).toContain("df = pd.read_csv('/mnt/data/data.csv')");
});

test("with a shorter RETENTION_DAYS the code behind an answer is deleted sooner", async () => {
  world = await startTeamsWorld({ env: { RETENTION_DAYS: "2" } });
  const { connector } = world;
  const question = personalMessage({ serviceUrl: connector.serviceUrl, text: "revenue by region" });
  await world.post(question);
  const answer = await connector.waitFor((posted) =>
    posted.find((p) => p.activity.attachments?.some((a) => a.contentType === ADAPTIVE_CARD)),
  );
  const card = answer.activity.attachments!.find((a) => a.contentType === ADAPTIVE_CARD)!.content as {
    actions: { data: unknown }[];
  };
  // Three days later the purge removes what expired (another connection to databot's store, on a later clock).
  const later = new SqliteStore({
    file: path.join(world.bot.dataDir, "databot.sqlite"),
    now: () => Date.now() + 3 * 24 * 3600_000,
  });
  await later.purgeExpired(0);
  await later.close();

  await world.post(cardSubmit(question, answer.id, card.actions[0]!.data));
  const said = await connector.waitFor((posted) =>
    posted.find((p) => (p.activity.text ?? "").startsWith("That code is no longer available")),
  );
  expect(said.activity.text).toBe("That code is no longer available (it is kept for 2 days).");
});

test("when someone installs databot, it introduces itself in their chat", async () => {
  world = await startTeamsWorld();
  const { connector } = world;
  const chat = personalMessage({ serviceUrl: connector.serviceUrl });
  const installed: Partial<Activity> = {
    ...chat,
    type: "conversationUpdate",
    text: undefined,
    membersAdded: [{ id: chat.recipient!.id, name: "databot" }],
  };
  expect((await world.post(installed)).status).toBe(200);
  const hello = await connector.waitFor((posted) => posted.find((p) => p.activity.type === "message"));
  expect(hello.conversationId).toBe(chat.conversation!.id);
  expect(hello.activity.text).toContain("**databot** answers data questions");
  expect(world.bot.turns).toHaveLength(0); // an introduction, not a question
});
