/**
 * The one HTTP server: every surface mounts its routes here, next to the health checks. No global body parser:
 * Slack's signature check needs the raw body, so each route parses what it needs.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import express, { type Express, type NextFunction, type Request, type Response } from "express";
import type { Logger } from "../core/logger";
import { withTimeout } from "../core/async";
import { asDatabotError } from "../core/errors";

export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export interface ReadinessOptions {
  /** A check that has not answered within this is failed (default 2 s). */
  timeoutMs?: number;
  /** Results are reused this long, so frequent probes do not hammer the backend (default 3 s). */
  cacheMs?: number;
}

interface CheckResult {
  name: string;
  ok: boolean;
  error?: string;
}

/**
 * Runs the readiness checks for real — every check calls what it guards — at most once per `cacheMs`; probes
 * arriving meanwhile share the last result or the one in flight.
 */
class Readiness {
  private last?: { at: number; results: CheckResult[] };
  private running?: Promise<CheckResult[]>;

  constructor(
    private readonly checks: ReadinessCheck[],
    private readonly logger: Logger,
    private readonly options: Required<ReadinessOptions>,
  ) {}

  results(): Promise<CheckResult[]> {
    if (this.last && Date.now() - this.last.at < this.options.cacheMs)
      return Promise.resolve(this.last.results);
    this.running ??= this.probe().finally(() => (this.running = undefined));
    return this.running;
  }

  private async probe(): Promise<CheckResult[]> {
    const results = await Promise.all(
      this.checks.map(async ({ name, check }) => {
        try {
          await withTimeout(check(), this.options.timeoutMs);
          return { name, ok: true };
        } catch (error) {
          this.logger.warn({ check: name, err: asDatabotError(error) }, "readiness check failed");
          return { name, ok: false, error: asDatabotError(error).userMessage };
        }
      }),
    );
    this.last = { at: Date.now(), results };
    return results;
  }
}

export function createHttpApp(
  readiness: ReadinessCheck[],
  logger: Logger,
  options: ReadinessOptions = {},
): Express {
  const app = express();
  app.disable("x-powered-by");
  const probe = new Readiness(readiness, logger, { timeoutMs: 2000, cacheMs: 3000, ...options });
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/readyz", async (_req, res) => {
    const results = await probe.results();
    const ready = results.every((r) => r.ok);
    res.setHeader("cache-control", "no-store");
    res.status(ready ? 200 : 503).json({ status: ready ? "ready" : "not ready", checks: results });
  });
  return app;
}

/** Short answers for client errors; nothing about databot's internals. */
const CLIENT_ERRORS: Record<number, string> = {
  400: "The request could not be read.",
  403: "Forbidden.",
  404: "Not found.",
  408: "The request took too long.",
  413: "The request is too large.",
  415: "This content type is not accepted here.",
};

/**
 * The last handlers on the app: unknown routes get a short 404, and every error a route did not answer itself
 * (unparsable JSON, a malformed path, a failure) gets a short JSON answer. Details go to the log only: no stack
 * trace or file path ever reaches a client, whatever the mode.
 */
export function finishApp(app: Express, logger: Logger): void {
  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: CLIENT_ERRORS[404] });
  });
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const declared =
      (error as { status?: unknown; statusCode?: unknown }).status ??
      (error as { statusCode?: unknown }).statusCode;
    const status = typeof declared === "number" && declared >= 400 && declared < 600 ? declared : 500;
    if (status >= 500) logger.error({ err: asDatabotError(error), path: req.path }, "request failed");
    else
      logger.warn(
        { status, path: req.path, reason: (error as Error).message?.slice(0, 200) },
        "request refused",
      );
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(status).json({
      error:
        CLIENT_ERRORS[status] ??
        (status < 500 ? CLIENT_ERRORS[400] : "Something went wrong on databot's side."),
    });
  });
}

/** Header and whole-request limits: a slow client cannot hold a connection for long before it has said anything. */
const SERVER_LIMITS = {
  headersTimeoutMs: 15_000,
  /** Long enough for the largest upload on a slow link. */
  requestTimeoutMs: 30 * 60_000,
  /** Idle keep-alive connections close after this. */
  keepAliveTimeoutMs: 5000,
  maxHeaderBytes: 16 * 1024,
};

export interface RunningServer {
  server: http.Server;
  port: number;
  close(): Promise<void>;
}

/** Listens on host:port; `close` stops accepting, then ends idle keep-alive connections. */
export async function listen(app: Express, host: string, port: number): Promise<RunningServer> {
  const server = http.createServer({ maxHeaderSize: SERVER_LIMITS.maxHeaderBytes }, app);
  // Slack and the Bot Framework keep connections alive; make sure an idle one never outlives shutdown.
  server.keepAliveTimeout = SERVER_LIMITS.keepAliveTimeoutMs;
  server.headersTimeout = SERVER_LIMITS.headersTimeoutMs;
  server.requestTimeout = SERVER_LIMITS.requestTimeoutMs;
  // A socket error (a reset mid-request, a malformed request line) concerns that client only.
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const status =
      error.code === "HPE_HEADER_OVERFLOW" ? 431 : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
    socket.end(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`,
    );
  });
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
