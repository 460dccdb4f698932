/**
 * `GET /metrics` for Prometheus. Metrics say how busy databot is, on which platforms and with which errors, so
 * they are not public: without `METRICS_TOKEN` only this machine may read them (a client on loopback that names
 * a loopback Host, so a web page cannot read them through DNS rebinding, nor a reverse proxy publish them);
 * with it, every scrape must send it as a bearer token, from anywhere. It is a token of its own, not the web
 * chat's: a scraper that holds it can read counts, never a conversation.
 */
import { timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import type { Request, RequestHandler } from "express";
import { classifyAddress } from "../../adapters/outbound/addresses";
import type { Logger } from "../../core/logger";
import type { DatabotMetrics } from "./metrics";

export const METRICS_ROUTE = "/metrics";

export function metricsHandler(
  metrics: DatabotMetrics,
  token: string | undefined,
  logger: Logger,
): RequestHandler {
  let warned = false;
  return async (req, res) => {
    res.setHeader("cache-control", "no-store");
    const refusal = refuse(req, token);
    if (refusal) {
      // A misconfigured scraper asks every few seconds: say it loudly once.
      (warned ? logger.debug : logger.warn).call(
        logger,
        { reason: refusal.reason },
        "metrics request refused",
      );
      warned = true;
      if (refusal.status === 401) res.setHeader("www-authenticate", 'Bearer realm="databot metrics"');
      res.status(refusal.status).json({ error: refusal.message });
      return;
    }
    try {
      const { contentType, body } = await metrics.render();
      res.status(200).type(contentType).send(body);
    } catch (error) {
      logger.error({ err: error }, "could not collect the metrics");
      res.status(500).json({ error: "The metrics could not be collected." });
    }
  };
}

interface Refusal {
  status: 401 | 403;
  message: string;
  /** For the log only. */
  reason: string;
}

function refuse(req: Request, token: string | undefined): Refusal | undefined {
  if (token) {
    const offered = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "")?.[1]?.trim();
    if (offered !== undefined && equal(offered, token)) return undefined;
    return {
      status: 401,
      message: "Send METRICS_TOKEN as a bearer token to read the metrics.",
      reason: offered === undefined ? "no bearer token" : "wrong bearer token",
    };
  }
  const elsewhere: Refusal = {
    status: 403,
    message: "Without METRICS_TOKEN the metrics answer this machine only.",
    reason: "",
  };
  if (classifyAddress(req.socket.remoteAddress ?? "") !== "loopback")
    return { ...elsewhere, reason: "the client is not on this machine" };
  if (!isLoopbackName(hostName(req.headers.host ?? "")))
    return { ...elsewhere, reason: "the Host header is not a loopback name" };
  return undefined;
}

function isLoopbackName(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (bare === "localhost") return true;
  return isIP(bare) !== 0 && classifyAddress(bare) === "loopback";
}

/** The host part of a Host header (`name:port`, `[v6]:port`). */
function hostName(header: string): string {
  if (header.startsWith("[")) return header.slice(0, header.indexOf("]") + 1);
  return header.split(":")[0] ?? "";
}

function equal(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
