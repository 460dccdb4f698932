/**
 * Slack signs `v0:<timestamp>:<body>` and Bolt refuses timestamps older than five minutes; a timestamp that far
 * in the *future* is just as much a replay risk (a captured request held back and sent later), so it is refused
 * the same way, before Bolt reads the body.
 */
import type { NextFunction, Request, Response } from "express";

const MAX_SKEW_S = 5 * 60;

export function rejectFutureTimestamps(req: Request, res: Response, next: NextFunction): void {
  const stamp = Number(req.headers["x-slack-request-timestamp"]);
  if (Number.isFinite(stamp) && stamp - Date.now() / 1000 > MAX_SKEW_S) {
    res.status(401).json({ error: "Unauthorized." });
    return;
  }
  next();
}
