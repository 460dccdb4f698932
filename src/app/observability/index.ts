/**
 * What the people who run databot watch it with, wired around the core from the outside: Prometheus metrics
 * from decorators of the backend and the chat surfaces and from a turn observer, gauges read at scrape time,
 * and (when configured) OpenTelemetry traces.
 */
import type { ConversationService } from "../../core/conversation/service";
import type { AgentBackend, InboxStats, Store } from "../../core/ports";
import { hasSandboxStats } from "../../adapters/agents/local-engine/local-backend";
import type { DatabotMetrics } from "./metrics";

export { DatabotMetrics } from "./metrics";
export { METRICS_ROUTE, metricsHandler } from "./metrics-route";
export { observedBackend } from "./observed-backend";
export { observedSurface } from "./observed-surface";
export { combineObservers, metricsTurnObserver } from "./turn-metrics";
export { startTracing, tracingFromConfig } from "./tracing";
export { databotVersion } from "./version";

/** A store that can count its inbox. */
function hasInboxStats(store: Store): store is Store & InboxStats {
  return typeof (store as Partial<InboxStats>).inboxDepth === "function";
}

/** Gauges read from what exists when Prometheus scrapes: running turns, the inbox, the local sandboxes. */
export function registerGauges(
  metrics: DatabotMetrics,
  parts: { service: ConversationService; store: Store; backend: AgentBackend; maxConcurrentRuns: number },
): void {
  const { service, store, backend } = parts;
  metrics.gauge("databot_turns_running", "Turns running in this process now.", () => service.activeTurns);
  metrics.gauge(
    "databot_turn_slots",
    "Turns this process may run at once (MAX_CONCURRENT_RUNS).",
    () => parts.maxConcurrentRuns,
  );
  if (hasInboxStats(store)) {
    metrics.labelledGauge(
      "databot_inbox_messages",
      "Unfinished messages in the durable inbox (every replica's), by status: pending or processing.",
      ["status"],
      async () => {
        const depth = await store.inboxDepth();
        return [
          { labels: { status: "pending" }, value: depth.pending },
          { labels: { status: "processing" }, value: depth.processing },
        ];
      },
    );
  }
  if (hasSandboxStats(backend)) {
    metrics.gauge(
      "databot_sandbox_pool_warm",
      "Warm sandboxes waiting in the local engine's pool.",
      () => backend.sandboxStats().warm,
    );
    metrics.gauge(
      "databot_sandbox_pool_size",
      "Warm sandboxes the local engine's pool keeps (SANDBOX_POOL_SIZE).",
      () => backend.sandboxStats().poolTarget,
    );
    metrics.gauge(
      "databot_sandbox_sessions",
      "Python sessions the local engine has open, one per thread that analysed lately.",
      () => backend.sandboxStats().sessions,
    );
  }
}
