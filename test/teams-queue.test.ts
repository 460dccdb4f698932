/**
 * A question that has to wait in Teams is told so in its chat: behind an earlier question of the same chat, or
 * in line for an analysis session when MAX_ACTIVE_SESSIONS are all in use. It is answered once its turn comes.
 */
import type { Activity } from "botbuilder";
import { personalMessage } from "./fakes/teams/activities";
import { startTeamsWorld, type TeamsWorld } from "./fakes/teams/world";

let world: TeamsWorld | undefined;

afterEach(async () => {
  world?.backend.releaseRuns();
  await world?.close();
  world = undefined;
});

const saidIn = (w: TeamsWorld, conversationId: string) =>
  w.connector.posted
    .filter((p) => p.activity.type === "message" && p.activity.conversation?.id === conversationId)
    .map((p) => p.activity.text ?? "");

async function until<T>(check: () => T | undefined | false): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const value = check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error("timed out");
}

function question(w: TeamsWorld, conversationId: string, text: string): Partial<Activity> {
  return personalMessage({ serviceUrl: w.connector.serviceUrl, conversationId, text });
}

test("a follow-up asked while the first question runs is told it waits for it, then answered", async () => {
  world = await startTeamsWorld({ env: { TEAMS_STREAMING: "false" } });
  const w = world;
  w.backend.holdRuns();
  await w.post(question(w, "a:1chat", "revenue by region"));
  await until(() => w.backend.threads.size === 1);
  await w.post(question(w, "a:1chat", "and by month?"));

  await until(() => saidIn(w, "a:1chat").length > 0);
  expect(saidIn(w, "a:1chat")).toEqual(["_Waiting for the earlier question in this chat to finish…_"]);
  w.backend.releaseRuns();
  await w.bot.waitForTurns(2);
  const answers = saidIn(w, "a:1chat").filter((text) => text.startsWith("Here is the chart"));
  expect(answers.map((text) => text.match(/"(.*)"/)?.[1])).toEqual(["revenue by region", "and by month?"]);
});

test("with every analysis session in use, a question in another chat is told its place in line", async () => {
  world = await startTeamsWorld({ env: { MAX_ACTIVE_SESSIONS: "1", TEAMS_STREAMING: "false" } });
  const w = world;
  w.backend.holdRuns();
  await w.post(question(w, "a:1first", "revenue by region"));
  await until(() => w.backend.threads.size === 1);
  await w.post(question(w, "a:1second", "top customers"));

  const notice = await until(() => saidIn(w, "a:1second")[0]);
  expect(notice).toBe("_Waiting for a free analysis session; this question is next…_");
  expect(saidIn(w, "a:1first")).toEqual([]);
});
