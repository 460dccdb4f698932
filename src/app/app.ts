/**
 * The composition root: builds the store, the agent backend, the conversation service, the chat surfaces and the
 * HTTP server from a validated {@link Config}. Each part is built by a factory that receives only its own
 * configuration section; tests replace a part by passing another factory.
 */
import { OutboundGuard } from "../adapters/outbound/guard";
import type { Config } from "../config";
import { ConversationService } from "../core/conversation/service";
import { FilePolicy } from "../core/files/file-policy";
import type { Logger } from "../core/logger";
import type { AgentBackend, Store } from "../core/ports";
import { backendFor, type BackendFactory } from "./backend-factory";
import { createHttpApp, finishApp, listen, type RunningServer } from "./http-server";
import type { SurfaceModule } from "../adapters/chat/surface-module";
import type { SpanProcessor } from "@opentelemetry/sdk-trace";
import {
  combineObservers,
  DatabotMetrics,
  databotVersion,
  METRICS_ROUTE,
  metricsHandler,
  metricsTurnObserver,
  observedBackend,
  observedSurface,
  registerGauges,
  startTracing,
  tracingFromConfig,
} from "./observability";
import { prefixedSpaces } from "./key-value-spaces";
import { openSharedState } from "./shared-state";
import { processPool, storeFor } from "./store-factory";
import { ledgerFor, usageTurnObserver, type Ledger } from "./usage/ledger";
import { Retention, scheduleRetention } from "./usage/retention";
import { SessionBudget } from "../core/conversation/session-budget";
import { BUILT_IN_SURFACES, type SurfaceSpec } from "./surfaces";

/** The parts to build databot from; each defaults to what the configuration selects. */
export interface DatabotParts {
  /** Builds the agent backend (default: the configured one). */
  backend?: BackendFactory;
  /** Builds the store (default: the configured one, SQLite in `DATA_DIR` or PostgreSQL). */
  store?: () => Store | Promise<Store>;
  /** Builds the usage ledger (default: beside the configured store). */
  usage?: () => Ledger | Promise<Ledger>;
  /** The chat surfaces to run (default: every built-in one whose configuration is present). */
  surfaces?: readonly SurfaceSpec[];
  /**
   * Names this process in its leases (default: REPLICA_ID). A one-off process (the CLI) passes its own, so it
   * never takes back the turns of a server that runs with the same replica id.
   */
  workerId?: string;
  /**
   * Build only what the surfaces keep about conversations (their retention targets), not the surfaces: a
   * one-off process that serves no one (`databot forget`) still deletes a thread's transcript and uploads.
   */
  surfaceDataOnly?: boolean;
  /** Whether to listen on HTTP (the CLI does not). Default true. */
  http?: boolean;
  /**
   * Whether this process answers turns (default true). A replica that only serves chat platforms and browsers
   * passes false: the turns its people start are answered by the replicas that run workers.
   */
  worker?: boolean;
  /** Trace turns into this span processor instead of the configured OTLP endpoint (tests). */
  spanProcessor?: SpanProcessor;
}

export interface RunningDatabot {
  config: Config;
  store: Store;
  backend: AgentBackend;
  service: ConversationService;
  /** What each turn used; `databot usage` reads it. */
  usage: Ledger;
  /** The retention purge (scheduled hourly); `purge()` runs one now. */
  retention: Retention;
  /** What `GET /metrics` serves. */
  metrics: DatabotMetrics;
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
  parts: DatabotParts = {},
): Promise<RunningDatabot> {
  const { core, observability } = config;
  const version = databotVersion();
  const metrics = new DatabotMetrics(version);
  const tracing = parts.spanProcessor
    ? startTracing({ serviceName: "databot", version, spanProcessor: parts.spanProcessor })
    : tracingFromConfig(observability.tracing, version);
  // One PostgreSQL pool for the process: the store, the shared state and the usage ledger all draw on it.
  const pool = await processPool(config.store);
  const store = await (parts.store ?? (() => storeFor(config.store, pool)))();
  const shared = await openSharedState(config, logger, pool);
  const backend = await (parts.backend ?? backendFor(config))({ logger, spaces: store, shared });
  const usage = await (parts.usage ?? (() => ledgerFor(config.store, pool)))();
  const outbound = new OutboundGuard({ local: core.mode === "local" });
  const sink = {
    async receive(message: Parameters<ConversationService["receive"]>[0]) {
      const result = await service.receive(message);
      metrics.messagesReceived.inc({ platform: message.platform, result: result.status });
      return result;
    },
  };
  const deps = {
    sink,
    threads: store,
    logger,
    filePolicy: new FilePolicy(core.maxFileBytes),
    outbound,
    shared,
    settings: {
      mode: core.mode,
      dataDir: core.dataDir,
      maxFileBytes: core.maxFileBytes,
      publicBaseUrl: core.publicBaseUrl,
      retentionDays: config.usage.retentionDays,
    },
  };
  const specs = parts.surfaces ?? BUILT_IN_SURFACES;
  const surfaceDeps = (spec: SurfaceSpec) => ({ ...deps, spaces: prefixedSpaces(store, spec.name) });
  const modules = parts.surfaceDataOnly
    ? []
    : specs
        .map((spec) => spec.build(surfaceDeps(spec), config))
        .filter((m): m is SurfaceModule => m !== undefined);
  const retentionTargets = parts.surfaceDataOnly
    ? specs.flatMap((spec) => spec.retention(surfaceDeps(spec), config))
    : modules.flatMap((m) => m.retention ?? []);
  const service: ConversationService = new ConversationService({
    store,
    backend: observedBackend(backend, metrics),
    surfaces: modules.map((m) => observedSurface(m.surface, metrics)),
    observer: combineObservers(
      tracing?.observer,
      metricsTurnObserver(metrics, config.usage.prices),
      usageTurnObserver(usage, logger),
    ),
    budget: new SessionBudget({
      ledger: usage,
      waitlist: usage,
      backend: backend.name,
      settings: {
        maxActiveSessions: config.usage.maxActiveSessions,
        dailySessionBudget: config.usage.dailySessionBudget,
      },
      logger,
    }),
    logger,
    workerId: parts.workerId ?? config.replica.replicaId,
    settings: {
      maxConcurrentRuns: config.core.maxConcurrentRuns,
      maxFileBytes: config.core.maxFileBytes,
      dedupeTtlMs: config.core.dedupeTtlMs,
      leaseMs: config.core.leaseMs,
    },
  });
  registerGauges(metrics, { service, store, backend, maxConcurrentRuns: core.maxConcurrentRuns });

  let http: RunningServer | undefined;
  if (parts.http !== false) {
    const app = createHttpApp(
      [
        { name: "store", check: () => store.ping() },
        { name: "backend", check: () => backend.ready() },
      ],
      logger,
    );
    app.get(METRICS_ROUTE, metricsHandler(metrics, observability.metricsToken, logger));
    for (const module of modules) module.mount?.(app);
    finishApp(app, logger);
    http = await listen(app, config.core.host, config.core.port);
  }
  for (const module of modules) await module.start?.();
  if (parts.worker !== false) await service.start();
  const retention = new Retention({
    ledger: usage,
    threads: store,
    inbox: store,
    maintenance: store,
    backend,
    targets: [...retentionTargets, ...(backend.retention ? [backend.retention] : [])],
    platforms: modules.map((m) => m.surface.platform),
    retentionDays: config.usage.retentionDays,
    dedupeTtlMs: config.core.dedupeTtlMs,
    logger,
  });
  const stopRetention = scheduleRetention(retention, logger);

  for (const module of modules) logger.info({ surface: module.surface.platform }, module.description);
  const url = http ? `http://${formatHost(config.core.host)}:${http.port}` : undefined;

  return {
    config,
    store,
    backend,
    service,
    usage,
    retention,
    metrics,
    modules,
    port: http?.port,
    url,
    async close(graceMs = 10_000) {
      stopRetention();
      // Stop accepting first; stopping the modules then ends long-lived responses (live progress streams)
      // that would otherwise hold the server open. Running turns can still post: replies go out, not in.
      const httpClosed = http?.close();
      for (const module of modules) await module.stop?.();
      await httpClosed;
      await service.stop(graceMs);
      await backend.close();
      await store.close();
      await shared.close();
      await usage.close();
      await pool?.end();
      await outbound.close();
      await tracing?.shutdown().catch((error: unknown) => {
        logger.warn({ err: error }, "could not send the last traces");
      });
    },
  };
}

function formatHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}
