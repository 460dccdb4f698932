/**
 * Teams end to end: from a channel post that mentions databot to the reply with its PNG chart posted into the
 * reply chain, at 1, 50 and 500 concurrent conversations, against the fake Bot Framework connector on loopback
 * with an instant analysis. Measured side by side, in the same run, with the floor: a bare botbuilder bot
 * (CloudAdapter) that only replies with the same PNG.
 *
 *   npm run bench:teams
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from "botbuilder";
import express from "express";
import { teamsSurface } from "../src/app/surfaces";
import { ScriptedBackend } from "../test/fakes/scripted-backend";
import { channelMessage, postActivity } from "../test/fakes/teams/activities";
import { FakeConnector, type PostedActivity } from "../test/fakes/teams/connector";
import { startTestDatabot, type TestDatabot } from "../test/support/harness";
import { makePng } from "../test/support/png";
import { ms, percentile, table } from "./stats";

const PNG = makePng(640, 480);
const PNG_URI = `data:image/png;base64,${PNG.toString("base64")}`;
const LEVELS = [
  { conversations: 1, rounds: 40 },
  { conversations: 50, rounds: 6 },
  { conversations: 500, rounds: 3 },
];

interface Target {
  name: string;
  url: string;
  close(): Promise<void>;
}

/** databot as deployed: Bot Framework endpoint, SQLite inbox, workers, proactive reply; instant analysis. */
async function startDatabot(): Promise<Target & { bot: TestDatabot }> {
  const backend = new ScriptedBackend({
    script: () => ({
      text: "Revenue by region: East leads with 120, West follows with 95.",
      images: [{ name: "chart.png", data: PNG, alt: "Bar chart of revenue by region" }],
      files: [],
      code: [{ language: "python", code: "df.groupby('region').revenue.sum().plot.bar()" }],
      notices: [],
    }),
  });
  const bot = await startTestDatabot({
    env: { TEAMS_ENABLED: "true", MAX_CONCURRENT_RUNS: "1000", LOG_LEVEL: "silent" },
    backend,
    surfaces: [teamsSurface()],
  });
  return { name: "databot", bot, url: bot.url, close: () => bot.close() };
}

/** The floor: botbuilder's CloudAdapter and a handler that replies with the PNG in the same turn, nothing else. */
async function startFloor(): Promise<Target> {
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  const app = express();
  app.post("/api/messages", express.json({ limit: "1mb" }), (req, res) =>
    adapter.process(req, res, async (context) => {
      if (context.activity.type !== "message") return;
      await context.sendActivity({
        type: "message",
        text: "Revenue by region: East leads with 120, West follows with 95.",
        attachments: [{ contentType: "image/png", contentUrl: PNG_URI, name: "chart.png" }],
      });
    }),
  );
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    name: "bare botbuilder",
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Posts `count` channel mentions at once, each a post of its own; resolves with each one's latency. */
async function wave(connector: FakeConnector, target: Target, count: number): Promise<number[]> {
  const posts = Array.from({ length: count }, () =>
    channelMessage({ serviceUrl: connector.serviceUrl, text: "chart revenue by region" }),
  );
  const pending = new Map<string, () => void>();
  const stop = connector.onPosted((posted: PostedActivity) => {
    if (posted.activity.attachments?.some((a) => a.contentType === "image/png")) {
      pending.get(posted.conversationId)?.();
    }
  });
  try {
    return await Promise.all(
      posts.map(async (post) => {
        const started = performance.now();
        const replied = new Promise<number>((resolve) =>
          pending.set(post.conversation!.id, () => resolve(performance.now() - started)),
        );
        const ack = await postActivity(target.url, post);
        if (ack.status !== 200) throw new Error(`${target.name} answered HTTP ${ack.status}: ${ack.body}`);
        return replied;
      }),
    );
  } finally {
    stop();
    connector.posted.length = 0; // keep the fake's memory flat across waves
  }
}

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

/** Alternates floor and databot waves, so a change in the machine's background load hits both alike. */
async function measurePair(
  connector: FakeConnector,
  floor: Target,
  databot: Target,
  count: number,
  rounds: number,
) {
  const floorLatencies: number[] = [];
  const databotLatencies: number[] = [];
  // CPU of the whole process (client, fake connector and server): the difference is the server's.
  let floorCpu = 0;
  let databotCpu = 0;
  for (let round = 0; round < rounds; round++) {
    let before = process.cpuUsage();
    floorLatencies.push(...(await wave(connector, floor, count)));
    floorCpu += cpuMs(process.cpuUsage(before));
    before = process.cpuUsage();
    databotLatencies.push(...(await wave(connector, databot, count)));
    databotCpu += cpuMs(process.cpuUsage(before));
  }
  const turns = count * rounds;
  return {
    floorLatencies,
    databotLatencies,
    floorCpuPerTurn: floorCpu / turns,
    databotCpuPerTurn: databotCpu / turns,
  };
}

async function main(): Promise<void> {
  const connector = await new FakeConnector().start();
  const databot = await startDatabot();
  const floor = await startFloor();
  const rows: string[][] = [];
  try {
    // Warm up both: JIT, connection pools, SQLite statements, sharp.
    await measurePair(connector, floor, databot, 10, 3);
    for (const { conversations, rounds } of LEVELS) {
      const { floorLatencies, databotLatencies, floorCpuPerTurn, databotCpuPerTurn } = await measurePair(
        connector,
        floor,
        databot,
        conversations,
        rounds,
      );
      const ratio = percentile(databotLatencies, 50) / percentile(floorLatencies, 50);
      rows.push([
        String(conversations),
        String(databotLatencies.length),
        ms(percentile(databotLatencies, 50)),
        ms(percentile(databotLatencies, 99)),
        ms(percentile(floorLatencies, 50)),
        ms(percentile(floorLatencies, 99)),
        `${ratio.toFixed(2)}×`,
        `${databotCpuPerTurn.toFixed(2)} / ${floorCpuPerTurn.toFixed(2)} ms`,
      ]);
    }
  } finally {
    await databot.close();
    await floor.close();
    await connector.stop();
  }
  console.log(
    "Teams: channel post mentioning databot → reply with the PNG in its reply chain (fake connector on loopback)",
  );
  console.log(
    "databot: Bot Framework endpoint, durable SQLite inbox, worker, proactive reply (text, chart, Show code card);",
  );
  console.log("floor: a bare botbuilder CloudAdapter bot that replies with the same PNG inside the turn.\n");
  table(
    [
      "conversations",
      "replies",
      "databot p50",
      "databot p99",
      "floor p50",
      "floor p99",
      "p50 ratio",
      "CPU per turn (databot / floor)",
    ],
    rows,
  );
  console.log("\nTarget: databot p50 ≤ 1.3× the floor.");
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
