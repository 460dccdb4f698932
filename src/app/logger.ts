/**
 * pino logs: JSON lines for machines, or human-readable lines (pino-pretty) for a person at a terminal. Known
 * secret-bearing fields are redacted wherever they appear, and message text is only logged at debug level by the
 * code that logs it. While a turn is traced, every line carries its trace and span ids.
 */
import { isSpanContextValid, trace } from "@opentelemetry/api";
import pino from "pino";
import pretty from "pino-pretty";
import type { LogLevel } from "../config";
import type { Logger } from "../core/logger";

const REDACTED_PATHS = [
  "token",
  "*.token",
  "botToken",
  "*.botToken",
  "appToken",
  "*.appToken",
  "signingSecret",
  "*.signingSecret",
  "password",
  "*.password",
  "appPassword",
  "*.appPassword",
  "clientSecret",
  "*.clientSecret",
  "apiKey",
  "*.apiKey",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "req.headers.authorization",
  "req.headers.cookie",
  "content",
  "*.content",
  "data",
  "*.data",
];

/**
 * A logger writing JSON lines to `destination` (stdout by default). `pretty` writes human-readable lines to
 * that file descriptor instead (1 for stdout, 2 for stderr).
 */
export function createLogger(
  level: LogLevel,
  destination?: pino.DestinationStream,
  options: { pretty?: 1 | 2 } = {},
): Logger {
  const stream =
    destination ??
    (options.pretty
      ? pretty({
          destination: options.pretty,
          sync: true,
          colorize: true,
          translateTime: "SYS:HH:MM:ss",
          ignore: "pid,hostname,service",
        })
      : undefined);
  return pino(
    {
      level,
      base: { service: "databot" },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      serializers: { err: pino.stdSerializers.err },
      mixin: traceIds,
    },
    stream,
  );
}

/** The ids of the trace a line is written in, if any, so logs and traces can be joined. */
function traceIds(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const context = span.spanContext();
  return isSpanContextValid(context) ? { trace_id: context.traceId, span_id: context.spanId } : {};
}
