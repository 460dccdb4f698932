/**
 * databot's Prometheus metrics: one registry per running databot (so tests and several instances in one process
 * never share counters), with Node's process metrics beside databot's own. Labels are small fixed sets —
 * platform, backend, method, outcome, error code — never a thread, a user or a file name.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** Turns take seconds to many minutes (RUN_TIMEOUT_SECONDS is 900 by default). */
const TURN_SECONDS = [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 900, 1800];
/** Waiting in the inbox: normally well under a second, minutes when every run slot is busy. */
const WAIT_SECONDS = [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600];
/** One backend call: an upload or a message in milliseconds to seconds, a run up to the run timeout. */
const CALL_SECONDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900];

export class DatabotMetrics {
  readonly registry = new Registry();

  readonly messagesReceived = new Counter({
    name: "databot_messages_received_total",
    help: "Messages handed to the inbox, by platform and whether they were new or a repeated delivery.",
    labelNames: ["platform", "result"] as const,
    registers: [this.registry],
  });

  readonly turns = new Counter({
    name: "databot_turns_total",
    help: "Turns that ended, by platform and outcome (done, failed, abandoned for a later resume, crashed).",
    labelNames: ["platform", "outcome"] as const,
    registers: [this.registry],
  });

  readonly turnDuration = new Histogram({
    name: "databot_turn_duration_seconds",
    help: "How long a turn took from its claim to its end, by platform and outcome.",
    labelNames: ["platform", "outcome"] as const,
    buckets: TURN_SECONDS,
    registers: [this.registry],
  });

  readonly queueWait = new Histogram({
    name: "databot_turn_queue_wait_seconds",
    help: "How long a message waited in the inbox before a worker first took it, by platform.",
    labelNames: ["platform"] as const,
    buckets: WAIT_SECONDS,
    registers: [this.registry],
  });

  readonly stageDuration = new Histogram({
    name: "databot_turn_stage_duration_seconds",
    help: "How long each stage of a turn took: receiving_files, run, posting.",
    labelNames: ["stage"] as const,
    buckets: TURN_SECONDS,
    registers: [this.registry],
  });

  readonly backendCalls = new Counter({
    name: "databot_backend_calls_total",
    help: "Calls to the agent backend, by backend and method.",
    labelNames: ["backend", "method"] as const,
    registers: [this.registry],
  });

  readonly backendErrors = new Counter({
    name: "databot_backend_errors_total",
    help: "Agent backend calls that failed, by backend, method and error code (backend_busy, run_failed, …).",
    labelNames: ["backend", "method", "code"] as const,
    registers: [this.registry],
  });

  readonly backendCallDuration = new Histogram({
    name: "databot_backend_call_duration_seconds",
    help: "How long agent backend calls took, by backend and method.",
    labelNames: ["backend", "method"] as const,
    buckets: CALL_SECONDS,
    registers: [this.registry],
  });

  readonly sessionsOpened = new Counter({
    name: "databot_code_interpreter_sessions_opened_total",
    help: "Analysis sessions opened (each a billed Code Interpreter session on Azure): new threads, and sessions that replaced expired ones.",
    labelNames: ["backend"] as const,
    registers: [this.registry],
  });

  readonly bytesUploaded = new Counter({
    name: "databot_uploaded_bytes_total",
    help: "Bytes of shared files streamed into the agent backend.",
    labelNames: ["backend"] as const,
    registers: [this.registry],
  });

  readonly bytesPosted = new Counter({
    name: "databot_posted_bytes_total",
    help: "Bytes of replies posted to chat, by platform and kind (text, image, file).",
    labelNames: ["platform", "kind"] as const,
    registers: [this.registry],
  });

  readonly repliesPosted = new Counter({
    name: "databot_replies_posted_total",
    help: "Replies posted to chat, by platform and kind (answer, error).",
    labelNames: ["platform", "kind"] as const,
    registers: [this.registry],
  });

  readonly postFailures = new Counter({
    name: "databot_reply_post_failures_total",
    help: "Replies the chat platform did not take, by platform.",
    labelNames: ["platform"] as const,
    registers: [this.registry],
  });

  readonly usageSessions = new Counter({
    name: "databot_usage_sessions_total",
    help: "Code-interpreter sessions turns opened, as `databot usage` counts them (billed per session), by platform and backend.",
    labelNames: ["platform", "backend"] as const,
    registers: [this.registry],
  });

  readonly usageTokens = new Counter({
    name: "databot_usage_tokens_total",
    help: "Model tokens turns used, as the backend reported them, by platform, backend and kind (input, output).",
    labelNames: ["platform", "backend", "kind"] as const,
    registers: [this.registry],
  });

  readonly usageCost = new Counter({
    name: "databot_usage_estimated_cost_total",
    help: "Estimated cost of the turns, at PRICE_PER_SESSION, PRICE_PER_1K_INPUT_TOKENS and PRICE_PER_1K_OUTPUT_TOKENS.",
    labelNames: ["platform", "backend"] as const,
    registers: [this.registry],
  });

  constructor(version: string) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: "databot_build_info",
      help: "Always 1; the labels say which databot and which Node.js runs.",
      labelNames: ["version", "node"] as const,
      registers: [this.registry],
    }).set({ version, node: process.versions.node }, 1);
  }

  /** A gauge whose value is read when Prometheus scrapes. */
  gauge(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  /** A gauge with labels whose values are read (asynchronously) when Prometheus scrapes. */
  labelledGauge<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    read: () => Promise<{ labels: Record<L, string>; value: number }[]>,
  ): void {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const { labels, value } of await read()) this.set(labels as never, value);
      },
    });
  }

  /** The text Prometheus scrapes. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
