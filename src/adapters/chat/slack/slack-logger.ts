/**
 * Bolt and the Slack SDK log through this adapter into databot's logger. Their debug output includes request
 * bodies (message text, file names), so it is dropped; their info becomes debug.
 */
import { LogLevel, type Logger as SlackSdkLogger } from "@slack/bolt";
import type { Logger } from "../../../core/logger";

export function slackLogger(logger: Logger): SlackSdkLogger {
  let level = LogLevel.INFO;
  const line = (parts: unknown[]) => parts.map((p) => (p instanceof Error ? p.message : String(p))).join(" ");
  return {
    debug: () => undefined,
    info: (...parts: unknown[]) => logger.debug({ sdk: "slack" }, line(parts)),
    warn: (...parts: unknown[]) => logger.warn({ sdk: "slack" }, line(parts)),
    error: (...parts: unknown[]) => logger.error({ sdk: "slack" }, line(parts)),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
