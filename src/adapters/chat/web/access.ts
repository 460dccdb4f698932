/**
 * Who may use the web chat. Without an access token the server is bound to loopback, and requests must name a
 * loopback host (so a web page cannot reach it through DNS rebinding). With `WEB_ACCESS_TOKEN`, every web route
 * needs it: as a bearer header, or as the cookie set by opening `/?token=<token>` once. Changes must come from
 * databot's own page (a custom header and a same-origin `Origin`), so other sites cannot post on the user's behalf.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { NextFunction, Request, RequestHandler, Response } from "express";

const COOKIE_NAME = "databot_web";
const COOKIE_MAX_AGE_S = 30 * 24 * 3600;
/** Sent by databot's own page on every change; a cross-site form or fetch cannot add it without CORS. */
const CLIENT_HEADER = "x-databot-client";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** Security headers for every web response: no framing, no sniffing, scripts and styles from this origin only. */
export const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader(
    "content-security-policy",
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'; " +
      "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  );
  res.setHeader("x-content-type-options", "nosniff");
  res.setHeader("referrer-policy", "no-referrer");
  res.setHeader("x-frame-options", "DENY");
  next();
};

export function accessControl(token: string | undefined): RequestHandler {
  // The cookie holds a value derived from the token, not the token itself.
  const session = token ? createHmac("sha256", token).update("databot web session").digest("hex") : undefined;
  return (req: Request, res: Response, next: NextFunction) => {
    if (!token || !session) {
      if (!LOOPBACK_HOSTS.has(hostName(req.headers.host))) {
        return deny(req, res, 403, "The web chat answers on 127.0.0.1 or localhost only.");
      }
      return sameOriginChange(req, res, next);
    }
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "")?.[1];
    if (bearer !== undefined && equal(bearer, token)) return next();
    const offered = typeof req.query.token === "string" ? req.query.token : undefined;
    if (equal(cookie(req, COOKIE_NAME) ?? "", session)) {
      // Already signed in: still take a token out of the address bar.
      if (offered !== undefined && req.method === "GET" && req.path === "/") return res.redirect(303, "/");
      return sameOriginChange(req, res, next);
    }
    if (req.method === "GET" && req.path === "/" && offered !== undefined && equal(offered, token)) {
      const secure = req.secure ? "; Secure" : "";
      res.setHeader(
        "set-cookie",
        `${COOKIE_NAME}=${session}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${COOKIE_MAX_AGE_S}${secure}`,
      );
      // Take the token out of the address bar and history.
      return res.redirect(303, "/");
    }
    return deny(
      req,
      res,
      401,
      "This databot needs its access token: open the link with ?token=… that databot printed when it started.",
    );
  };
}

function sameOriginChange(req: Request, res: Response, next: NextFunction): void {
  if (req.method === "GET" || req.method === "HEAD") return next();
  if (req.headers[CLIENT_HEADER] !== "web") {
    return deny(req, res, 403, `Requests that change something must come from databot's page.`);
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== "null") {
    let originHost: string | undefined;
    try {
      originHost = new URL(origin).host;
    } catch {
      originHost = undefined;
    }
    if (originHost !== req.headers.host) {
      return deny(req, res, 403, "Requests from other sites are not accepted.");
    }
  }
  next();
}

function deny(req: Request, res: Response, status: number, message: string): void {
  if (req.path.startsWith("/web/api/") || req.originalUrl.startsWith("/web/api/")) {
    res.status(status).json({ error: message });
    return;
  }
  res
    .status(status)
    .type("html")
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>databot</title></head>` +
        `<body><main><h1>databot</h1><p>${escapeHtml(message)}</p></main></body></html>`,
    );
}

function hostName(host: string | undefined): string {
  if (!host) return "";
  if (host.startsWith("[")) return host.slice(0, host.indexOf("]") + 1);
  return host.split(":")[0]!;
}

function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return rest.join("=");
  }
  return undefined;
}

function equal(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
