/**
 * Who may read `/metrics`: this machine only, unless `METRICS_TOKEN` is set — then a scraper anywhere that sends
 * it as a bearer token, and nobody without it. The web chat's token does not open the metrics.
 */
import http from "node:http";
import type { Request, Response } from "express";
import { DatabotMetrics, metricsHandler } from "../src/app/observability";
import { silentLogger } from "../src/core/logger";
import { configProblems } from "./support/config-problems";
import { startTestDatabot, type TestDatabot } from "./support/harness";

const METRICS_TOKEN = "scrape-me-0123456789abcdef";
const WEB_TOKEN = "web-chat-0123456789abcdef";

let bot: TestDatabot | undefined;
afterEach(async () => {
  await bot?.close();
  bot = undefined;
});

/** GET /metrics on 127.0.0.1 with the given headers (a Host header other than the address it connects to). */
function get(
  port: number,
  headers: Record<string, string>,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: "127.0.0.1", port, path: "/metrics", headers }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode!, headers: response.headers, body }));
    });
    request.on("error", reject);
  });
}

test("without METRICS_TOKEN a scraper on this machine reads the metrics", async () => {
  bot = await startTestDatabot();
  const local = await get(bot.port, { host: `127.0.0.1:${bot.port}` });
  expect(local.status).toBe(200);
  expect(local.body).toContain("databot_turns_running 0");
  expect((await get(bot.port, { host: `localhost:${bot.port}` })).status).toBe(200);
});

test("without METRICS_TOKEN a request that names this server by a public name is refused (a reverse proxy, DNS rebinding)", async () => {
  bot = await startTestDatabot();
  const proxied = await get(bot.port, { host: "databot.example.com" });
  expect(proxied.status).toBe(403);
  expect(JSON.parse(proxied.body)).toEqual({
    error: "Without METRICS_TOKEN the metrics answer this machine only.",
  });
  expect(proxied.body).not.toContain("databot_");
});

test("without METRICS_TOKEN a client on another machine is refused", async () => {
  const handler = metricsHandler(new DatabotMetrics("test"), undefined, silentLogger);
  const answer: { status?: number; body?: unknown } = {};
  const res = {
    setHeader: () => res,
    status(code: number) {
      answer.status = code;
      return res;
    },
    json(body: unknown) {
      answer.body = body;
      return res;
    },
    type: () => res,
    send(body: unknown) {
      answer.body = body;
      return res;
    },
  };
  const req = {
    path: "/metrics",
    headers: { host: "127.0.0.1:3978" },
    socket: { remoteAddress: "10.1.2.3" },
  };
  await handler(req as unknown as Request, res as unknown as Response, () => undefined);
  expect(answer.status).toBe(403);
  expect(String(JSON.stringify(answer.body))).not.toContain("databot_");

  // The same request from loopback is answered: the refusal was about where it came from.
  await handler(
    { ...req, socket: { remoteAddress: "::ffff:127.0.0.1" } } as unknown as Request,
    res as unknown as Response,
    () => undefined,
  );
  expect(answer.status).toBe(200);
  expect(String(answer.body)).toContain("databot_build_info");
});

test("with METRICS_TOKEN every scrape must bring it, from anywhere; the web chat's token is not enough", async () => {
  bot = await startTestDatabot({
    env: { METRICS_TOKEN, WEB_CHAT: "true", WEB_ACCESS_TOKEN: WEB_TOKEN },
  });
  const remote = { host: "databot.example.com" };
  const none = await get(bot.port, remote);
  expect(none.status).toBe(401);
  expect(none.headers["www-authenticate"]).toMatch(/^Bearer/);
  expect((await get(bot.port, { ...remote, authorization: `Bearer ${WEB_TOKEN}` })).status).toBe(401);
  expect((await get(bot.port, { host: `127.0.0.1:${bot.port}` })).status).toBe(401);

  const scraped = await get(bot.port, { ...remote, authorization: `Bearer ${METRICS_TOKEN}` });
  expect(scraped.status).toBe(200);
  expect(scraped.body).toContain("databot_turns_total");
});

test("a METRICS_TOKEN too short to be a secret is refused at start, without echoing it", () => {
  const problems = configProblems({ METRICS_TOKEN: "short-one" });
  expect(problems).toEqual([expect.stringMatching(/^METRICS_TOKEN: use at least 16 characters/)]);
  expect(problems.join()).not.toContain("short-one");
});
