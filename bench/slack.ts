/**
 * Slack end to end: from a signed `app_mention` event to the reply with its PNG chart shared in the thread, at
 * 1, 50 and 500 concurrent threads, against the fake Slack on loopback with an instant analysis. Measured side
 * by side, in the same run, with the floor: a bare Bolt app that only uploads the same PNG into the thread.
 *
 *   npm run bench:slack
 */
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { App, ExpressReceiver, LogLevel } from "@slack/bolt";
import express from "express";
import { slackSurface } from "../src/app/surfaces";
import { sqlCounter, type SqlCounter } from "../src/adapters/stores/sql-counter";
import { SqliteStore } from "../src/adapters/stores/sqlite/sqlite-store";
import { ScriptedBackend } from "../test/fakes/scripted-backend";
import { DATABOT, FakeSlack, type FakeMessage } from "../test/fakes/slack/fake-slack";
import { startTestDatabot, type TestDatabot } from "../test/support/harness";
import { makePng } from "../test/support/png";
import { ms, percentile, table } from "./stats";

const PNG = makePng(640, 480);
const LEVELS = [
  { threads: 1, rounds: 40 },
  { threads: 50, rounds: 6 },
  { threads: 500, rounds: 3 },
];

interface Target {
  name: string;
  eventsUrl: string;
  close(): Promise<void>;
}

/**
 * databot as deployed: HTTP events, SQLite inbox, workers, the Slack surface; the analysis answers at once.
 * `statusLines: false` delays the status line past any turn here, to show what it costs under load.
 */
async function startDatabot(
  slack: FakeSlack,
  statusLines = true,
): Promise<Target & { bot: TestDatabot; sql: SqlCounter }> {
  const backend = new ScriptedBackend({
    script: () => ({
      text: "Revenue by region: East leads with 120, West follows with 95.",
      images: [{ name: "chart.png", data: PNG, alt: "Bar chart of revenue by region" }],
      files: [],
      code: [{ language: "python", code: "df.groupby('region').revenue.sum().plot.bar()" }],
      notices: [],
    }),
  });
  // The store counts its SQL, so the bench shows what a Slack turn costs the store (adapter state included).
  const sql = sqlCounter();
  const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), "databot-bench-store-"));
  const bot = await startTestDatabot({
    env: slack.env({ MAX_CONCURRENT_RUNS: "1000", LOG_LEVEL: "silent" }),
    backend,
    store: () => new SqliteStore({ file: path.join(storeDir, "databot.sqlite"), counter: sql }),
    ...(statusLines
      ? {}
      : {
          surfaces: [slackSurface({ timings: { statusDelayMs: 3_600_000 } })],
        }),
  });
  return {
    name: "databot",
    bot,
    sql,
    eventsUrl: `${bot.url}/slack/events`,
    async close() {
      await bot.close();
      fs.rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

/** The floor: Bolt's ExpressReceiver and one listener that shares the PNG in the thread, nothing else. */
async function startFloor(slack: FakeSlack): Promise<Target> {
  const receiver = new ExpressReceiver({ signingSecret: slack.signingSecret, logLevel: LogLevel.ERROR });
  const app = new App({
    receiver,
    token: FakeSlack.BOT_TOKEN,
    botId: DATABOT.botId,
    botUserId: DATABOT.userId,
    tokenVerificationEnabled: false,
    clientOptions: { slackApiUrl: slack.apiUrl },
    logLevel: LogLevel.ERROR,
  });
  app.event("app_mention", async ({ event, client }) => {
    await client.filesUploadV2({
      channel_id: event.channel,
      thread_ts: event.thread_ts ?? event.ts,
      file: PNG,
      filename: "chart.png",
      alt_text: "Bar chart of revenue by region",
    });
  });
  const server = http.createServer(express().use(receiver.router));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    name: "bare Bolt",
    eventsUrl: `http://127.0.0.1:${port}/slack/events`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let channelCount = 0;

/** Posts `threads` mentions at once, each in a channel of its own; resolves with each one's latency. */
async function wave(slack: FakeSlack, threads: number): Promise<number[]> {
  const channels = Array.from({ length: threads }, () => {
    channelCount += 1;
    const id = `C0B${String(channelCount).padStart(7, "0")}`;
    return slack.addChannel(id, `bench-${channelCount}`, "public", ["U0ANA"]);
  });
  const pending = new Map<string, (message: FakeMessage) => void>();
  const stop = slack.onDatabotMessage((message) => {
    if (message.files.length > 0) pending.get(message.channel)?.(message);
  });
  try {
    return await Promise.all(
      channels.map(async (channel) => {
        const started = performance.now();
        const replied = new Promise<number>((resolve) =>
          pending.set(channel, () => resolve(performance.now() - started)),
        );
        await slack.post("U0ANA", { channel, text: `<@${DATABOT.userId}> chart revenue by region` });
        return replied;
      }),
    );
  } finally {
    stop();
  }
}

/**
 * Runs `rounds` waves of `threads` questions against each target, alternating targets wave by wave so that
 * whatever else the machine does weighs on all of them alike.
 */
async function measure(
  slack: FakeSlack,
  targets: Target[],
  threads: number,
  rounds: number,
): Promise<number[][]> {
  const latencies = targets.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    for (const [index, target] of targets.entries()) {
      slack.eventsUrl = target.eventsUrl;
      latencies[index]!.push(...(await wave(slack, threads)));
    }
  }
  return latencies;
}

async function main(): Promise<void> {
  const slack = await FakeSlack.start();
  slack.addPerson("U0ANA", "Ana");
  const databot = await startDatabot(slack);
  const quiet = await startDatabot(slack, false);
  const floor = await startFloor(slack);
  const rows: string[][] = [];
  try {
    // Warm up both: JIT, connection pools, SQLite statements, the asker's name in databot's cache.
    await measure(slack, [floor, databot, quiet], 10, 3);
    for (const { threads, rounds } of LEVELS) {
      const before = { ...databot.sql };
      const [floorLatencies = [], databotLatencies = [], quietLatencies = []] = await measure(
        slack,
        [floor, databot, quiet],
        threads,
        rounds,
      );
      const floorP50 = percentile(floorLatencies, 50);
      rows.push([
        String(threads),
        String(databotLatencies.length),
        ms(percentile(databotLatencies, 50)),
        ms(percentile(databotLatencies, 99)),
        ms(floorP50),
        ms(percentile(floorLatencies, 99)),
        `${(percentile(databotLatencies, 50) / floorP50).toFixed(2)}×`,
        `${(percentile(quietLatencies, 50) / floorP50).toFixed(2)}×`,
        ((databot.sql.statements - before.statements) / databotLatencies.length).toFixed(1),
        ((databot.sql.writeTransactions - before.writeTransactions) / databotLatencies.length).toFixed(2),
      ]);
    }
  } finally {
    await databot.close();
    await quiet.close();
    await floor.close();
    await slack.close();
  }
  console.log("Slack: signed app_mention → reply with the PNG shared in the thread (fake Slack on loopback)");
  console.log(
    "databot: HTTP events, durable SQLite inbox, worker, status line, one file-share message with the answer;",
  );
  console.log(
    "floor: a bare Bolt app (ExpressReceiver) whose listener only calls files.uploadV2 with the same PNG.\n",
  );
  table(
    [
      "threads",
      "replies",
      "databot p50",
      "databot p99",
      "floor p50",
      "floor p99",
      "p50 ratio",
      "without status",
      "SQL statements/turn",
      "write transactions/turn",
    ],
    rows,
  );
  console.log(
    "\nTarget: databot p50 ≤ 1.3× the floor. A turn that lasts over 400 ms shows a status line (one more",
  );
  console.log(
    'Slack call); at 500 threads every turn does. "without status" is databot with the status line held back.',
  );
  console.log(
    "SQL per turn: what databot's SQLite store ran for its turns (inbox, thread map, Slack state; BEGIN/COMMIT not",
  );
  console.log(
    "counted), including the worker's claim polls while the floor and the quiet databot take their turns.",
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
