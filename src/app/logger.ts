/**
 * pino JSON logs. Known secret-bearing fields are redacted wherever they appear, and message text is only
 * logged at debug level by the code that logs it.
 */
import pino from "pino";
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

/** A logger writing JSON lines to `destination` (stdout by default). */
export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "databot" },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  );
}
