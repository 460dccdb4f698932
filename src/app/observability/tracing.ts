/**
 * OpenTelemetry traces, on only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set: one trace per turn, with a span for
 * receiving its files, one for the run and one for posting. Spans carry ids and counts (thread, message,
 * platform, attempt, files) and error codes — never message text, file names or file contents. While a turn
 * runs its span is the active context, so every log line of the turn carries its trace id (see logger.ts).
 */
import { context, propagation, SpanStatusCode, trace, type Span, type Tracer } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import {
  defaultResource,
  envDetector,
  hostDetector,
  osDetector,
  resourceFromAttributes,
  serviceInstanceIdDetector,
} from "@opentelemetry/resources";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { BatchSpanProcessor, type SpanProcessor } from "@opentelemetry/sdk-trace";
import type { TracingConfig } from "../../config";
import { asDatabotError } from "../../core/errors";
import type { ObservedTurn, TurnObserver, TurnStage } from "../../core/ports";

const SPAN_NAMES: Record<TurnStage, string> = {
  receiving_files: "databot.receive_files",
  run: "databot.run",
  posting: "databot.post",
};

export interface Tracing {
  observer: TurnObserver;
  /** Sends what is still buffered, then stops. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  serviceName: string;
  version: string;
  /** Where spans go; by default a batching OTLP (http/protobuf) exporter to the configured endpoint. */
  spanProcessor: SpanProcessor;
}

/** Starts tracing for the configured endpoint, or returns undefined when tracing is off. */
export function tracingFromConfig(config: TracingConfig | undefined, version: string): Tracing | undefined {
  if (!config) return undefined;
  const exporter = new OTLPTraceExporter({ url: config.tracesUrl, headers: config.headers });
  return startTracing({
    serviceName: config.serviceName,
    version,
    spanProcessor: new BatchSpanProcessor({ exporter }),
  });
}

/**
 * Registers the SDK (tracer provider and the async-context manager that makes a turn's span follow its work)
 * with only the given span processor: no metrics or log exporters, no instrumentations of other libraries.
 * The process is described without its command line: `databot ask "<question>"` carries the question there.
 */
export function startTracing(options: TracingOptions): Tracing {
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    resource: defaultResource().merge(
      resourceFromAttributes({
        "service.version": options.version,
        "process.pid": process.pid,
        "process.runtime.name": "nodejs",
        "process.runtime.version": process.versions.node,
      }),
    ),
    resourceDetectors: [serviceInstanceIdDetector, hostDetector, osDetector, envDetector],
    spanProcessors: [options.spanProcessor],
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
  });
  sdk.start();
  const tracer = trace.getTracer("databot", options.version);
  return {
    observer: tracingTurnObserver(tracer),
    async shutdown() {
      await sdk.shutdown();
      // Give the global API back, so a databot started again in this process can register its own.
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

function tracingTurnObserver(tracer: Tracer): TurnObserver {
  return {
    turn: (turn, work) =>
      tracer.startActiveSpan("databot.turn", { root: true, attributes: turnAttributes(turn) }, (span) =>
        traced(span, async () => {
          const outcome = await work();
          span.setAttribute("databot.outcome", outcome);
          if (outcome === "failed") span.setStatus({ code: SpanStatusCode.ERROR });
          return outcome;
        }),
      ),
    stage: (turn, stage, work) => {
      if (stage === "receiving_files" && turn.files === 0) return work();
      const attributes = { "databot.thread_id": turn.threadId, "databot.message_id": turn.messageId };
      return tracer.startActiveSpan(SPAN_NAMES[stage], { attributes }, (span) => traced(span, work));
    },
  };
}

function turnAttributes(turn: ObservedTurn): Record<string, string | number> {
  return {
    "databot.thread_id": turn.threadId,
    "databot.message_id": turn.messageId,
    "databot.platform": turn.platform,
    "databot.seq": turn.seq,
    "databot.attempt": turn.attempt,
    "databot.files": turn.files,
    "databot.queue_wait_ms": turn.queuedMs,
  };
}

/** Ends the span after `work`; a failure is recorded by its error code only (messages may quote user input). */
async function traced<T>(span: Span, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const code = asDatabotError(error).code;
    span.setAttribute("error.type", code);
    span.setStatus({ code: SpanStatusCode.ERROR, message: code });
    throw error;
  } finally {
    span.end();
  }
}
