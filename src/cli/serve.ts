/**
 * `databot serve`: the long-running server with every configured surface on one port. Stops gracefully on
 * SIGINT/SIGTERM: stop accepting, let running turns finish (or checkpoint them for the next start), disconnect.
 */
import type { Config } from "../config";
import type { Logger } from "../core/logger";
import { startDatabot } from "../app/app";
import type { CliIo } from "./ask";

const SHUTDOWN_GRACE_MS = 20_000;

export async function serveCommand(config: Config, logger: Logger, io: CliIo): Promise<number> {
  const databot = await startDatabot(config, logger);
  const surfaces = databot.modules.map((m) => `  - ${m.description}`).join("\n");
  io.stdout.write(
    [
      "",
      `databot is running (${config.core.mode} mode, ${databot.backend.name} engine).`,
      config.web ? `Open ${databot.url}/ in your browser to chat.` : `Listening on ${databot.url}.`,
      surfaces ? `Surfaces:\n${surfaces}` : "No chat surface is configured.",
      "Press Ctrl+C to stop.",
      "",
    ].join("\n"),
  );
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, "shutting down");
      databot.close(SHUTDOWN_GRACE_MS).then(
        () => resolve(0),
        (error: unknown) => {
          logger.error({ err: error }, "shutdown failed");
          resolve(1);
        },
      );
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}
