/**
 * The one HTTP server: every surface mounts its routes here, next to the health checks. No global body parser:
 * Slack's signature check needs the raw body, so each route parses what it needs.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import express, { type Express } from "express";
import type { Logger } from "../core/logger";
import { withTimeout } from "../core/async";
import { asDatabotError } from "../core/errors";

export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export function createHttpApp(readiness: ReadinessCheck[], logger: Logger): Express {
  const app = express();
  app.disable("x-powered-by");
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/readyz", async (_req, res) => {
    const results = await Promise.all(
      readiness.map(async ({ name, check }) => {
        try {
          await withTimeout(check(), 5000);
          return { name, ok: true };
        } catch (error) {
          logger.warn({ check: name, err: asDatabotError(error) }, "readiness check failed");
          return { name, ok: false, error: asDatabotError(error).userMessage };
        }
      }),
    );
    const ready = results.every((r) => r.ok);
    res.status(ready ? 200 : 503).json({ status: ready ? "ready" : "not ready", checks: results });
  });
  return app;
}

export interface RunningServer {
  server: http.Server;
  port: number;
  close(): Promise<void>;
}

/** Listens on host:port; `close` stops accepting, then ends idle keep-alive connections. */
export async function listen(app: Express, host: string, port: number): Promise<RunningServer> {
  const server = http.createServer(app);
  // Slack and the Bot Framework keep connections alive; make sure an idle one never outlives shutdown.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 5000).unref();
      }),
  };
}
