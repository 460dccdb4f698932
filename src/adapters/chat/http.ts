/**
 * HTTP helpers the chat surfaces' routes share.
 */
import type { NextFunction, Request, Response } from "express";

/**
 * Answers 408 and closes the connection when a request's body has not fully arrived within `ms`, so slow or
 * stalled bodies cannot hold connections open. For routes whose bodies are small (events, activities, JSON).
 */
export function bodyDeadline(ms: number) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const timer = setTimeout(() => {
      if (req.complete) return;
      if (!res.headersSent)
        res.status(408).setHeader("connection", "close").json({ error: "The request took too long." });
      req.destroy();
    }, ms);
    timer.unref();
    const clear = () => clearTimeout(timer);
    req.once("end", clear);
    res.once("close", clear);
    next();
  };
}
