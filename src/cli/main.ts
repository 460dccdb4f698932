/**
 * The `databot` command: `serve` (the default), `ask`, `run-python`. Configuration is read and validated here,
 * once, and passed down.
 */
import pino from "pino";
import { ConfigError, loadConfig, type Config } from "../config";
import { StartupError } from "../core/errors";
import type { Logger } from "../core/logger";
import { runPythonCommand } from "./run-python";
import { createLogger } from "../app/logger";
import { askCommand, ASK_USAGE, type CliIo } from "./ask";
import { serveCommand } from "./serve";
import { forgetCommand, usageCommand, USAGE_USAGE } from "./usage";

const USAGE = `databot — ask data questions in Slack, Microsoft Teams or the browser.

Usage:
  databot serve                 run the server with every configured surface (default)
  databot ask [options] "<q>"   ask one question from the command line
  databot run-python --file cell.py [--input data.csv ...]
                                run one Python cell in the sandbox and print JSON
  databot usage [--since 7d] [--by workspace|channel|user]
                                turns, sessions, tokens and estimated cost
  databot forget --thread <id>  delete one conversation's data on the backend and here

${ASK_USAGE}
${USAGE_USAGE}`;

export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }) {
  const [command = "serve", ...rest] = argv;
  if (command === "help" || command === "--help" || command === "-h") {
    io.stdout.write(USAGE);
    return 0;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
  try {
    return await run(command, rest, config, io);
  } catch (error) {
    if (error instanceof StartupError) {
      io.stderr.write(`databot could not start: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

function run(command: string, rest: string[], config: Config, io: CliIo): Promise<number> {
  switch (command) {
    case "serve":
      return serveCommand(config, serverLogger(config), io);
    case "ask":
      return askCommand(rest, config, cliLogger(config), io);
    case "usage":
      return usageCommand(rest, config, io);
    case "forget":
      return forgetCommand(rest, config, cliLogger(config), io);
    case "run-python":
      return runPythonCommand(rest, config.local, io);
    default:
      io.stderr.write(`databot: unknown command "${command}".\n\n${USAGE}`);
      return Promise.resolve(1);
  }
}

/** Human-readable lines when LOG_FORMAT says so, or (by default) when the logs go to a terminal. */
function pretty(config: Config, stream: { isTTY?: boolean }): boolean {
  const format = config.observability.logFormat;
  return format === "pretty" || (format === "auto" && stream.isTTY === true);
}

/** The server logs to stdout: JSON lines for a log collector, readable lines for a person at a terminal. */
function serverLogger(config: Config): Logger {
  const level = config.core.logLevel ?? "info";
  return pretty(config, process.stdout) ? createLogger(level, undefined, { pretty: 1 }) : createLogger(level);
}

/** The CLI keeps stdout for the answer: logs go to stderr, quiet unless LOG_LEVEL asks for more. */
function cliLogger(config: Config): Logger {
  const level = config.core.logLevel ?? "warn";
  return pretty(config, process.stderr)
    ? createLogger(level, undefined, { pretty: 2 })
    : createLogger(level, pino.destination(2));
}

// Run directly (`node dist/src/cli/main.js serve`, as the container does) as well as through bin/databot.js.
if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
