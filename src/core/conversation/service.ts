/**
 * The conversation service: receives normalized messages into the durable inbox and answers them with a pool of
 * workers — one turn at a time per chat thread, in arrival order, up to `maxConcurrentRuns` threads at once.
 * Unfinished turns (a crash, a restart, a lapsed lease) are picked up again and resumed from their checkpoint.
 */
import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import type {
  AgentBackend,
  ChatSurface,
  ClaimedItem,
  MessageSink,
  ReceiveResult,
  Store,
  TurnObserver,
} from "../ports";
import { asDatabotError } from "../errors";
import { FilePolicy } from "../files/file-policy";
import type { Logger } from "../logger";
import { isPlatformPrefix } from "../thread-id";
import type { InboundMessage } from "../types";
import { parseCommand } from "./commands";
import { STOPS_NAMESPACE } from "./stops";
import type { SessionBudget } from "./session-budget";
import { NO_TURN_OBSERVER, observedTurn } from "./turn-observation";
import { TurnRunner, type TurnOutcome } from "./turn-runner";

const CRASH_RETRY_DELAY_MS = 5000;
/** What a "stop" stopped is kept this long, for its turn to say so. */
const STOP_RECORD_TTL_MS = 24 * 3600_000;

export interface ConversationSettings {
  /** Turns that may run at once across all threads. */
  maxConcurrentRuns: number;
  maxFileBytes: number;
  dedupeTtlMs: number;
  /** A claimed turn's lease; renewed every third of it while the turn runs. */
  leaseMs: number;
  /** How often idle workers look for work another replica released or a crashed one left behind. */
  pollIntervalMs?: number;
}

export interface ConversationServiceDeps {
  store: Store;
  backend: AgentBackend;
  surfaces: ChatSurface[];
  logger: Logger;
  settings: ConversationSettings;
  /**
   * Names this replica in its leases. Stable across restarts (a host or pod name), so a restarted replica takes
   * back its own unfinished turns at once; unique per instance by default.
   */
  workerId?: string;
  /** Watches every turn (metrics, traces); watches nothing by default. */
  observer?: TurnObserver;
  /** The session gate (MAX_ACTIVE_SESSIONS, DAILY_SESSION_BUDGET), when usage is kept. */
  budget?: SessionBudget;
}

/** Emitted after each turn ends, for tests and metrics. */
export interface TurnEvent {
  seq: number;
  messageId: string;
  threadId: string;
  outcome: TurnOutcome;
}

export class ConversationService implements MessageSink {
  private readonly store: Store;
  private readonly backend: AgentBackend;
  private readonly logger: Logger;
  private readonly settings: Required<ConversationSettings>;
  private readonly owner: string;
  private readonly runner: TurnRunner;
  private readonly observer: TurnObserver;
  private readonly surfaces: Map<string, ChatSurface>;
  private readonly platforms: string[];
  private readonly running = new Map<number, AbortController>();
  private readonly events = new EventEmitter();
  private running_ = false;
  private pumping = false;
  private pumpAgain = false;
  private pollTimer?: NodeJS.Timeout;

  constructor(deps: ConversationServiceDeps) {
    this.store = deps.store;
    this.backend = deps.backend;
    this.logger = deps.logger;
    this.settings = { pollIntervalMs: 1000, ...deps.settings };
    this.owner = deps.workerId ?? `worker-${randomUUID()}`;
    this.surfaces = new Map();
    for (const surface of deps.surfaces) {
      if (!isPlatformPrefix(surface.platform)) throw new Error(`Not a thread-id prefix: ${surface.platform}`);
      if (this.surfaces.has(surface.platform)) throw new Error(`Two surfaces answer "${surface.platform}"`);
      this.surfaces.set(surface.platform, surface);
    }
    this.platforms = [...this.surfaces.keys()];
    this.observer = deps.observer ?? NO_TURN_OBSERVER;
    this.runner = new TurnRunner({
      store: deps.store,
      backend: deps.backend,
      surfaces: this.surfaces,
      policy: new FilePolicy(deps.settings.maxFileBytes),
      logger: deps.logger,
      observer: this.observer,
      budget: deps.budget,
    });
  }

  /** Records the message durably (deduplicated), then wakes a worker. Resolves before any work starts. */
  async receive(message: InboundMessage): Promise<ReceiveResult> {
    const result = await this.store.enqueue(message, this.settings.dedupeTtlMs);
    if (!result.accepted) {
      this.logger.info({ messageId: message.id, threadId: message.threadId }, "duplicate delivery ignored");
      return { status: "duplicate" };
    }
    this.logger.info(
      {
        messageId: message.id,
        threadId: message.threadId,
        seq: result.seq,
        files: message.attachments.length,
      },
      "message received",
    );
    this.logger.debug({ messageId: message.id, text: message.text }, "message text");
    // Claim on a later loop turn, so the platform's acknowledgement goes out before any turn work starts.
    setImmediate(() => this.schedule());
    // "stop" cannot wait its turn behind the question it stops: the running run is cancelled now, and the
    // command's own turn (after it) says what happened.
    if (parseCommand(message.text) === "stop" && message.attachments.length === 0)
      void this.stopRunning(message);
    else if (result.ahead > 0) void this.announceQueuePosition(message, result.ahead);
    return { status: "accepted" };
  }

  /** Cancels the run of the thread's turn in progress, if any (wherever it runs: the run is the backend's). */
  private async stopRunning(message: InboundMessage): Promise<void> {
    try {
      const running = (await this.store.unfinishedInThread(message.threadId)).filter(
        (i) => i.message.id !== message.id && i.checkpoint.runId && i.checkpoint.agentThreadId,
      );
      // Written first, so the command's turn can tell what it stopped whenever it runs.
      await this.store
        .space(STOPS_NAMESPACE)
        .put(message.id, { seqs: running.map((i) => i.seq) }, STOP_RECORD_TTL_MS);
      for (const item of running) {
        await this.backend.cancelRun(item.checkpoint.agentThreadId!, item.checkpoint.runId!);
        this.logger.info({ seq: item.seq, runId: item.checkpoint.runId }, "run cancelled on request");
      }
    } catch (error) {
      this.logger.warn({ err: asDatabotError(error) }, "could not stop the running question");
    }
  }

  /**
   * Starts the workers. Turns this replica's earlier process left unfinished are taken back at once (that process
   * is gone); other replicas' turns are resumed when their leases lapse.
   */
  async start(): Promise<void> {
    if (this.running_) return;
    this.running_ = true;
    try {
      const taken = await this.store.takeBack(this.owner);
      if (taken > 0) this.logger.info({ turns: taken }, "taking back this replica's unfinished turns");
    } catch (error) {
      // Not fatal: the turns are resumed when their leases lapse.
      this.logger.warn({ err: asDatabotError(error) }, "could not take back unfinished turns");
    }
    if (!this.running_) return;
    this.pollTimer = setInterval(() => this.schedule(), this.settings.pollIntervalMs);
    this.pollTimer.unref();
    this.schedule();
  }

  /**
   * Stops claiming work and lets running turns finish for up to `graceMs`; turns still running then are
   * abandoned with their checkpoint (a restarted service resumes them) and their leases released.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.running_ = false;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.running.size === 0) return;
    const drained = this.waitForDrain();
    const timedOut = await Promise.race([
      drained.then(() => false),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(true), graceMs).unref()),
    ]);
    if (timedOut) {
      for (const controller of this.running.values()) controller.abort(new Error("shutting down"));
      // A turn stuck in a call that ignores the abort keeps its lease, which lapses; don't wait for it forever.
      const stuck = await Promise.race([
        drained.then(() => false),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(true), graceMs).unref()),
      ]);
      if (stuck)
        this.logger.warn({ turns: this.running.size }, "turns did not stop in time; their leases will lapse");
    }
  }

  /** Subscribes to turn ends. */
  onTurnEnd(listener: (event: TurnEvent) => void): () => void {
    this.events.on("turn", listener);
    return () => this.events.off("turn", listener);
  }

  /** Turns running in this process now. */
  get activeTurns(): number {
    return this.running.size;
  }

  private schedule(): void {
    if (!this.running_) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    void this.pump().finally(() => {
      this.pumping = false;
      if (this.pumpAgain) {
        this.pumpAgain = false;
        this.schedule();
      }
    });
  }

  /** Claims work until the pool is full or nothing is runnable. */
  private async pump(): Promise<void> {
    while (this.running_ && this.running.size < this.settings.maxConcurrentRuns) {
      let item: ClaimedItem | undefined;
      try {
        item = await this.store.claimNext(this.owner, this.settings.leaseMs, this.platforms);
      } catch (error) {
        this.logger.error({ err: asDatabotError(error) }, "could not claim work from the store");
        return;
      }
      if (!item) return;
      this.launch(item);
      // Let HTTP handlers (platform acks) run between claims when many turns start at once.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private launch(item: ClaimedItem): void {
    const controller = new AbortController();
    this.running.set(item.seq, controller);
    const heartbeat = setInterval(() => {
      void this.store.renewLease(item.lease, this.settings.leaseMs).then(
        (kept) => {
          if (!kept) controller.abort(new Error("lease lost"));
        },
        (error: unknown) => this.logger.warn({ err: asDatabotError(error) }, "lease renewal failed"),
      );
    }, this.settings.leaseMs / 3);
    heartbeat.unref();
    let crashed = false;
    if (item.attempts > 1)
      this.logger.info({ seq: item.seq, attempts: item.attempts }, "resuming unfinished turn");

    const observed = observedTurn(item);
    void this.observer
      .turn(observed, () => this.runner.run(item, controller.signal, observed))
      .catch((error: unknown): TurnOutcome => {
        this.logger.error(
          { err: asDatabotError(error), seq: item.seq },
          "turn crashed; it will be tried again",
        );
        crashed = true;
        return "abandoned";
      })
      .then(async (outcome) => {
        clearInterval(heartbeat);
        if (outcome === "abandoned") {
          // A crash (the store failing, say) waits a little before the next attempt, so it cannot spin.
          await this.store.release(item.lease, crashed ? CRASH_RETRY_DELAY_MS : 0).catch((error: unknown) => {
            this.logger.warn(
              { err: asDatabotError(error) },
              "could not release the turn; its lease will lapse",
            );
          });
        }
        this.running.delete(item.seq);
        const { message } = item;
        this.events.emit("turn", {
          seq: item.seq,
          messageId: message.id,
          threadId: message.threadId,
          outcome,
        });
        this.events.emit("drain-check");
        this.schedule();
      });
  }

  private waitForDrain(): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.running.size === 0) {
          this.events.off("drain-check", check);
          resolve();
        }
      };
      this.events.on("drain-check", check);
      check();
    });
  }

  /** Tells the thread its message waits behind `ahead` others (best effort). */
  private async announceQueuePosition(message: InboundMessage, ahead: number): Promise<void> {
    try {
      await this.surfaces.get(message.platform)?.announceQueued?.(message, ahead);
    } catch (error) {
      this.logger.debug({ err: asDatabotError(error) }, "queue position update failed");
    }
  }
}
