/**
 * Composes databot: store, agent backend, conversation service, chat surfaces and the HTTP server, from a
 * validated {@link Config}. Tests pass their own backend (and surfaces) through `overrides`.
 */
import { OutboundGuard } from "../adapters/outbound/guard";
import { SqliteStore } from "../adapters/sqlite/sqlite-store";
import type { Config } from "../config";
import { ConversationService } from "../core/conversation/service";
import { FilePolicy } from "../core/files/file-policy";
import type { Logger } from "../core/logger";
import type { AgentBackend, ChatSurface, Store } from "../core/ports";
import { createHttpApp, finishApp, listen, type RunningServer } from "./http-server";
import type { SurfaceModule } from "./surface-module";
import { SURFACE_FACTORIES, type SurfaceFactory } from "./surfaces";

export interface DatabotOverrides {
  backend?: AgentBackend;
  store?: Store;
  /** Surface factories to use instead of the built-in ones. */
  surfaceFactories?: SurfaceFactory[];
  /** Extra surfaces without HTTP routes (the CLI). */
  extraSurfaces?: ChatSurface[];
  /** Whether to listen on HTTP (the CLI does not). Default true. */
  http?: boolean;
}

export interface RunningDatabot {
  config: Config;
  store: Store;
  backend: AgentBackend;
  service: ConversationService;
  modules: SurfaceModule[];
  /** The bound port (useful when PORT=0). */
  port?: number;
  /** `http://<host>:<port>` when listening. */
  url?: string;
  /** Stops accepting, finishes or checkpoints running turns, disconnects, closes the store. */
  close(graceMs?: number): Promise<void>;
}

export async function startDatabot(
  config: Config,
  logger: Logger,
  createBackend: (config: Config, logger: Logger, store: Store) => Promise<AgentBackend>,
  overrides: DatabotOverrides = {},
): Promise<RunningDatabot> {
  const store = overrides.store ?? SqliteStore.inDataDir(config.core.dataDir);
  const backend = overrides.backend ?? (await createBackend(config, logger, store));
  const outbound = new OutboundGuard({ local: config.core.mode === "local" });
  const sink = { receive: (m: Parameters<ConversationService["receive"]>[0]) => service.receive(m) };
  const deps = {
    sink,
    store,
    logger,
    filePolicy: new FilePolicy(config.core.maxFileBytes),
    outbound,
    core: config.core,
  };
  const modules = (overrides.surfaceFactories ?? SURFACE_FACTORIES)
    .map((factory) => factory(deps, config))
    .filter((m): m is SurfaceModule => m !== undefined);
  const service: ConversationService = new ConversationService({
    store,
    backend,
    surfaces: [...modules.map((m) => m.surface), ...(overrides.extraSurfaces ?? [])],
    logger,
    settings: {
      maxConcurrentRuns: config.core.maxConcurrentRuns,
      maxFileBytes: config.core.maxFileBytes,
      dedupeTtlMs: config.core.dedupeTtlMs,
      leaseMs: config.core.leaseMs,
    },
  });

  let http: RunningServer | undefined;
  if (overrides.http !== false) {
    const app = createHttpApp(
      [
        { name: "store", check: () => store.ping() },
        { name: "backend", check: () => backend.ready() },
      ],
      logger,
    );
    for (const module of modules) module.mount?.(app);
    finishApp(app, logger);
    http = await listen(app, config.core.host, config.core.port);
  }
  for (const module of modules) await module.start?.();
  service.start();
  const purge = setInterval(
    () => void store.purgeExpired(config.core.dedupeTtlMs).catch(() => undefined),
    3600_000,
  );
  purge.unref();

  for (const module of modules) logger.info({ surface: module.surface.platform }, module.description);
  const url = http ? `http://${formatHost(config.core.host)}:${http.port}` : undefined;

  return {
    config,
    store,
    backend,
    service,
    modules,
    port: http?.port,
    url,
    async close(graceMs = 10_000) {
      clearInterval(purge);
      // Stop accepting first; stopping the modules then ends long-lived responses (live progress streams)
      // that would otherwise hold the server open. Running turns can still post: replies go out, not in.
      const httpClosed = http?.close();
      for (const module of modules) await module.stop?.();
      await httpClosed;
      await service.stop(graceMs);
      await backend.close();
      await store.close();
      await outbound.close();
    },
  };
}

function formatHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}
