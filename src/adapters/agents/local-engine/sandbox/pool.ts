/**
 * Pre-started sandboxes with pandas and matplotlib already imported. A session takes one (it is never handed
 * to anyone else) and the pool refills in the background, one sandbox at a time, and only once no cell is
 * running (or after a short wait), so starting an interpreter does not take CPU from the turn that just began.
 */
import type { Logger } from "../../../../core/logger";
import type { SandboxProcess } from "./sandbox-process";

const RETRY_AFTER_FAILURE_MS = 5_000;
/** A refill waits for running cells this long at most. */
const QUIET_WAIT_MS = 3_000;
const QUIET_POLL_MS = 25;

export class SandboxPool {
  private readonly ready: SandboxProcess[] = [];
  private filling: Promise<void> | undefined;
  private closed = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Resolves when the pool is next full (for measurements and tests). */
  private fullWaiters: (() => void)[] = [];

  constructor(
    private readonly size: number,
    private readonly startSandbox: () => Promise<SandboxProcess>,
    private readonly logger: Logger,
    /** Whether a cell is running somewhere: a refill waits for it to finish. */
    private readonly busy: () => boolean = () => false,
  ) {}

  /** Resolves when no cell runs, or after {@link QUIET_WAIT_MS}. */
  private async quiet(): Promise<void> {
    const until = Date.now() + QUIET_WAIT_MS;
    while (this.busy() && Date.now() < until && !this.closed) {
      await new Promise((resolve) => setTimeout(resolve, QUIET_POLL_MS).unref());
    }
  }

  /** Sandboxes ready to hand out now. */
  get available(): number {
    return this.ready.length;
  }

  /** Starts filling the pool in the background. */
  fill(): void {
    if (this.closed || this.filling || this.ready.length >= this.size) {
      if (this.ready.length >= this.size) this.notifyFull();
      return;
    }
    this.filling = this.fillLoop().finally(() => {
      this.filling = undefined;
    });
  }

  private async fillLoop(): Promise<void> {
    while (!this.closed && this.ready.length < this.size) {
      let sandbox: SandboxProcess;
      if (this.ready.length > 0) await this.quiet();
      try {
        sandbox = await this.startSandbox();
        this.failures = 0;
      } catch (error) {
        this.failures += 1;
        this.logger.warn(
          { err: (error as Error).message, failures: this.failures },
          "could not pre-start a sandbox",
        );
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.fill(), RETRY_AFTER_FAILURE_MS * Math.min(this.failures, 12));
        this.retryTimer.unref();
        return;
      }
      if (this.closed) {
        await sandbox.close();
        return;
      }
      this.ready.push(sandbox);
      sandbox.onExit(() => {
        const index = this.ready.indexOf(sandbox);
        if (index >= 0) {
          this.ready.splice(index, 1);
          this.fill();
        }
      });
    }
    this.notifyFull();
  }

  private notifyFull(): void {
    for (const resolve of this.fullWaiters.splice(0)) resolve();
  }

  /** Resolves once every slot holds a ready sandbox. */
  whenFull(): Promise<void> {
    if (this.ready.length >= this.size) return Promise.resolve();
    return new Promise((resolve) => {
      this.fullWaiters.push(resolve);
      this.fill();
    });
  }

  /** A warm sandbox for a new session, or a freshly started one when the pool is empty. */
  async take(): Promise<SandboxProcess> {
    for (;;) {
      const sandbox = this.ready.shift();
      if (!sandbox) break;
      // Refill on the next turn: spawning costs milliseconds the new session should not wait for.
      setImmediate(() => this.fill());
      if (sandbox.alive) return sandbox;
    }
    this.fill();
    return this.startSandbox();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.notifyFull();
    const sandboxes = this.ready.splice(0);
    await Promise.all(sandboxes.map((s) => s.close()));
    await this.filling;
  }
}
