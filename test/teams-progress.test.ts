/**
 * While databot works: in a 1:1 chat the person sees Teams' streaming (what databot is doing, then the answer
 * as it is written, then the final message); where Teams refuses streaming, and in channels, a typing indicator.
 */
import type { Activity } from "botbuilder";
import { channelMessage, personalMessage } from "./fakes/teams/activities";
import { ScriptedBackend, defaultScript, type ScriptContext } from "./fakes/scripted-backend";
import { streamInfoOf } from "./fakes/teams/connector";
import { startTeamsWorld, type TeamsWorld } from "./fakes/teams/world";

let world: TeamsWorld;
afterEach(async () => world?.close());

/**
 * A run that reports what it does, like a real analysis, and moves on only once Teams has shown the previous
 * step (so the story does not depend on timing).
 */
function observedBackend(mode: "stream" | "typing"): ScriptedBackend {
  const shown = (predicate: (p: Partial<Activity>) => boolean) =>
    world.connector.waitFor((posted) => posted.some((p) => predicate(p.activity)), 20_000);
  return new ScriptedBackend({
    script: async (context: ScriptContext) => {
      context.observer.onProgress({ kind: "thinking" });
      if (mode === "typing") {
        await shown((a) => a.type === "typing" && !streamInfo(a));
      } else {
        await shown((a) => streamInfo(a)?.streamType === "informative");
        context.observer.onProgress({ kind: "running_code", code: "df.groupby('region').revenue.sum()" });
        context.observer.onProgress({ kind: "text", text: "Revenue grew" });
        await shown((a) => streamInfo(a)?.streamType === "streaming" && a.text === "Revenue grew");
        context.observer.onProgress({ kind: "text", text: "Revenue grew 12% in the East" });
        await shown((a) => a.text === "Revenue grew 12% in the East");
      }
      return { ...defaultScript(context), text: "Revenue grew 12% in the East and 3% in the West." };
    },
  });
}

function streamInfo(activity: Partial<Activity>) {
  return streamInfoOf(activity) as
    { streamType: string; streamSequence?: number; streamId?: string } | undefined;
}

test("in a 1:1 chat the answer streams in: progress first, then the text, then the final message", async () => {
  world = await startTeamsWorld({ backend: observedBackend("stream") });
  const { connector } = world;
  await world.post(personalMessage({ serviceUrl: connector.serviceUrl, text: "how did revenue change?" }));
  const final = await connector.waitFor((posted) =>
    posted.find((p) => p.activity.type === "message" && streamInfo(p.activity)?.streamType === "final"),
  );

  const updates = connector.posted.filter((p) => p.activity.type === "typing");
  const infos = updates.map((p) => streamInfo(p.activity)!);
  expect(infos[0]).toMatchObject({ streamType: "informative", streamSequence: 1 });
  // The fields travel in the streaminfo entity itself, where Teams clients read them.
  expect(updates[0]!.activity.entities).toContainEqual({
    type: "streaminfo",
    streamType: "informative",
    streamSequence: 1,
  });
  expect(updates[0]!.activity.text).toBe("Analyzing…");
  const streamId = updates[0]!.id;
  // Every later update names the stream and counts up; the text ones extend what was shown.
  expect(infos.slice(1).every((i) => i.streamId === streamId)).toBe(true);
  expect(infos.map((i) => i.streamSequence)).toEqual(infos.map((_, n) => n + 1));
  const streamed = updates
    .filter((p) => streamInfo(p.activity)!.streamType === "streaming")
    .map((p) => p.activity.text);
  expect(streamed.at(-1)).toBe("Revenue grew 12% in the East");

  expect(streamInfo(final.activity)!.streamId).toBe(streamId);
  expect(final.activity.text).toBe("Revenue grew 12% in the East and 3% in the West.");
  expect(final.activity.attachments?.some((a) => a.contentType === "image/png")).toBe(true);
  expect(connector.streams.get(streamId)!.finished).toBe(true);
});

test("when Teams refuses streaming, a typing indicator shows instead and the answer arrives as a normal message", async () => {
  world = await startTeamsWorld({ backend: observedBackend("typing") });
  const { connector } = world;
  connector.refuseStreaming = true;
  await world.post(personalMessage({ serviceUrl: connector.serviceUrl, text: "how did revenue change?" }));
  const answer = await connector.waitFor((posted) =>
    posted.find((p) => p.activity.type === "message" && p.activity.attachments?.length),
  );
  expect(streamInfo(answer.activity)).toBeUndefined();
  expect(answer.activity.text).toBe("Revenue grew 12% in the East and 3% in the West.");
  const typing = connector.posted.filter((p) => p.activity.type === "typing" && !streamInfo(p.activity));
  expect(typing.length).toBeGreaterThan(0);
  expect(connector.streams.size).toBe(0);
});

test("in a channel databot shows typing in the reply chain while it works", async () => {
  world = await startTeamsWorld({ backend: observedBackend("typing") });
  const { connector } = world;
  const post = channelMessage({ serviceUrl: connector.serviceUrl, text: "how did revenue change?" });
  await world.post(post);
  const chain = post.conversation!.id;
  await connector.waitFor((posted) =>
    posted.find((p) => p.activity.type === "message" && p.conversationId === chain),
  );
  const typing = connector.posted.filter((p) => p.activity.type === "typing");
  expect(typing.length).toBeGreaterThan(0);
  expect(typing.every((p) => p.conversationId === chain && !streamInfo(p.activity))).toBe(true);
});
