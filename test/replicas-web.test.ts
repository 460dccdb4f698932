/**
 * Two replicas on one PostgreSQL database, as a deployment behind a load balancer runs them: the browser's
 * page and requests are served by replica A, which runs no worker, and every turn runs on replica B. Nothing
 * either needs is on the other's disk or in its memory: the upload dropped on A is what B's turn reads, B's
 * progress and answer reach the tab on A, and the chart is downloaded from A. For Teams, a file spooled by the
 * replica that answered is delivered when the consent click lands on the other one.
 */
import type { Browser, Page } from "playwright-core";
import { FILE_CONSENT_CARD, FILE_INFO_CARD } from "../src/adapters/chat/teams/cards";
import { teamsSurface } from "../src/app/surfaces";
import { attachCsv, launchChromium, loadedImageWidth, recordProblems } from "./support/browser";
import { defaultScript, ScriptedBackend } from "./fakes/scripted-backend";
import { fileConsentInvoke, personalMessage, postActivity } from "./fakes/teams/activities";
import { startTeamsWorld } from "./fakes/teams/world";
import { startTestDatabot, type TestDatabot } from "./support/harness";
import { createThrowawayDatabase, type ThrowawayDatabase } from "./support/postgres";

const SALES = "month,region,revenue\n2024-01,East,120\n2024-01,West,95\n2024-02,East,130\n";

let db: ThrowawayDatabase;
let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  db = await createThrowawayDatabase("replicas_web");
});
afterEach(async () => {
  await db.drop();
});

const shared = (id: string) => ({ WEB_CHAT: "true", DATABASE_URL: db.url, REPLICA_ID: id });

describe("the browser chat on two replicas", () => {
  let a: TestDatabot;
  let b: TestDatabot;
  let page: Page;
  let release: () => void;
  const problems: string[] = [];

  beforeEach(async () => {
    const released = new Promise<void>((resolve) => (release = resolve));
    const backend = new ScriptedBackend({
      script: async (context) => {
        context.observer.onProgress({ kind: "running_code", code: "df.groupby('region')['revenue'].sum()" });
        context.observer.onProgress({ kind: "text", text: "East leads with **250**" });
        await released;
        return defaultScript(context);
      },
    });
    a = await startTestDatabot({ env: shared("replica-a"), worker: false });
    b = await startTestDatabot({ env: shared("replica-b"), backend });
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    problems.length = 0;
    recordProblems(page, problems);
  });

  afterEach(async () => {
    release();
    await page?.close();
    await a?.close();
    await b?.close();
  });

  test("a file dropped on A is read by B's turn, and B's progress and chart appear in the page A serves", async () => {
    await page.goto(a.url);
    await attachCsv(page, "sales.csv", SALES);
    await page.getByLabel("Message").fill("bar chart of revenue by region");
    await page.getByLabel("Message").press("Enter");

    // B is working: the tab on A shows its step, its code and the answer as B writes it.
    await page.locator("#status", { hasText: "Writing the answer…" }).waitFor();
    await page.locator("#draft strong", { hasText: "250" }).waitFor();
    await page.locator("#live-code").getByText("Show code").click();
    await page.locator("#live-code pre", { hasText: "df.groupby('region')['revenue'].sum()" }).waitFor();

    release();
    expect(await loadedImageWidth(page.locator(".entry-bot figure img").last())).toBe(64);
    await page.locator(".entry-bot .markdown", { hasText: "using sales.csv" }).waitFor();
    await page.locator("#live").waitFor({ state: "hidden" });
    await b.waitForTurns(1);
    expect(a.turns).toHaveLength(0);
    const received = [...(b.backend as ScriptedBackend).files.values()].find((f) => f.name === "sales.csv")!;
    expect(received.head.toString()).toBe(SALES);

    // A reload on A shows the conversation B answered, its chart served from the shared store.
    await page.reload();
    expect(await loadedImageWidth(page.locator(".entry-bot figure img").last())).toBe(64);
    expect(problems).toEqual([]);
  });

  test("a tab that opens on A while B works sees where B is at once", async () => {
    const thread = (await (
      await fetch(`${a.url}/web/api/threads`, { method: "POST", headers: { "x-databot-client": "web" } })
    ).json()) as { thread: { id: string } };
    const sent = await fetch(`${a.url}/web/api/threads/${thread.thread.id}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-databot-client": "web" },
      body: JSON.stringify({ text: "revenue by region", clientId: "tab-late-1" }),
    });
    expect(sent.status).toBe(202);
    // The page is opened only now, on A, with B already writing.
    for (;;) {
      const state = (await (await fetch(`${a.url}/web/api/threads/${thread.thread.id}`)).json()) as {
        status: { stage?: string } | null;
      };
      if (state.status?.stage === "answering") break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await page.goto(`${a.url}/#/t/${thread.thread.id}`);
    await page.locator("#draft strong", { hasText: "250" }).waitFor();
    release();
    expect(await loadedImageWidth(page.locator(".entry-bot figure img").last())).toBe(64);
    expect(problems).toEqual([]);
  });
});

test("a Teams file made on one replica is delivered when the consent click lands on another", async () => {
  const world = await startTeamsWorld({ env: { DATABASE_URL: db.url, REPLICA_ID: "replica-a" } });
  const other = await startTestDatabot({
    env: { TEAMS_ENABLED: "true", DATABASE_URL: db.url, REPLICA_ID: "replica-b" },
    surfaces: [teamsSurface()],
    worker: false,
  });
  try {
    const { connector, sharepoint } = world;
    const question = personalMessage({ serviceUrl: connector.serviceUrl, text: "summarise revenue" });
    expect((await world.post(question)).status).toBe(200);
    const consent = await connector.waitFor((posted) =>
      posted.find((p) => p.activity.attachments?.some((a) => a.contentType === FILE_CONSENT_CARD)),
    );
    const content = consent.activity.attachments![0]!.content as { acceptContext: unknown };
    const { uploadUrl } = sharepoint.createUploadSession(
      "summary.csv",
      "https://contoso-my.sharepoint.com/personal/ada/Documents",
    );
    // The click goes to the other replica, which never saw the reply being made.
    const invoke = await postActivity(
      other.url,
      fileConsentInvoke(question, consent.id, "accept", content.acceptContext, {
        name: "summary.csv",
        uploadUrl,
        contentUrl: "https://contoso-my.sharepoint.com/personal/ada/Documents/summary.csv",
        uniqueId: "1150D938-8870-4044-9F2C-5BBDEBA70C9D",
        fileType: "csv",
      }),
    );
    expect(invoke.status).toBe(200);
    await connector.waitFor((posted) =>
      posted.find((p) => p.activity.attachments?.some((a) => a.contentType === FILE_INFO_CARD)),
    );
    expect(sharepoint.uploaded("summary.csv")!.toString()).toBe("region,revenue\nEast,120\nWest,95\n");
    expect(other.turns).toHaveLength(0);
  } finally {
    await other.close();
    await world.close();
  }
});
