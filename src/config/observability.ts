import { EnvReader, schemas } from "./env-reader";

/** How log lines look: JSON lines, human-readable, or human-readable only when writing to a terminal. */
export type LogFormat = "auto" | "json" | "pretty";

/** OpenTelemetry traces. Present when `OTEL_EXPORTER_OTLP_ENDPOINT` is set. */
export interface TracingConfig {
  /** Where spans are sent: the OTLP endpoint's `/v1/traces` (http/protobuf). */
  tracesUrl: string;
  /** Extra headers for the collector (an API key), from `OTEL_EXPORTER_OTLP_HEADERS`. */
  headers: Record<string, string>;
  serviceName: string;
}

/** Metrics, traces and the log format: what the people who run databot watch it with. */
export interface ObservabilityConfig {
  /** A bearer token that lets a scraper read `/metrics` from anywhere; without it, loopback only. */
  metricsToken?: string;
  tracing?: TracingConfig;
  logFormat: LogFormat;
}

export function readObservabilityConfig(r: EnvReader): ObservabilityConfig {
  const endpoint = r.read("OTEL_EXPORTER_OTLP_ENDPOINT", schemas.url());
  const headers = readHeaders(r);
  return {
    metricsToken: r.read("METRICS_TOKEN", schemas.text().min(16, "use at least 16 characters")),
    tracing: endpoint
      ? {
          tracesUrl: `${endpoint.replace(/\/+$/, "")}/v1/traces`,
          headers,
          serviceName: r.read("OTEL_SERVICE_NAME", schemas.text(), "databot") ?? "databot",
        }
      : undefined,
    logFormat: r.read("LOG_FORMAT", schemas.oneOf(["auto", "json", "pretty"]), "auto") ?? "auto",
  };
}

/** `key=value,key2=value2`, values percent-encoded, as the OpenTelemetry specification writes them. */
function readHeaders(r: EnvReader): Record<string, string> {
  const raw = r.read("OTEL_EXPORTER_OTLP_HEADERS", schemas.text());
  const headers: Record<string, string> = {};
  if (!raw) return headers;
  for (const pair of raw.split(",")) {
    if (pair.trim() === "") continue;
    const at = pair.indexOf("=");
    const key = at > 0 ? pair.slice(0, at).trim() : "";
    let value: string | undefined;
    try {
      value = at > 0 ? decodeURIComponent(pair.slice(at + 1).trim()) : undefined;
    } catch {
      value = undefined;
    }
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(key) || value === undefined) {
      // Never echo the value: it usually holds a key.
      r.fail("OTEL_EXPORTER_OTLP_HEADERS: write it as key=value pairs separated by commas");
      return {};
    }
    headers[key] = value;
  }
  return headers;
}
