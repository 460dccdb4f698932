/**
 * What one turn used, gathered while it runs and told to the observer when it ends: the files it uploaded, the
 * reply's images and files, the backend's token counts, and whether it opened a code-interpreter session.
 */
import type {
  AgentOutput,
  ClaimedItem,
  ObservedTurn,
  TurnCheckpoint,
  TurnObserver,
  TurnReport,
} from "../ports";
import type { Logger } from "../logger";

export class TurnUsage {
  private startedAt: number;
  private sessionOpened = false;
  private output?: AgentOutput;

  constructor(
    private readonly item: ClaimedItem,
    private readonly backend: string,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
  }

  /** The session gate admitted the turn at `startedAt`. */
  admitted(startedAt: number, sessionOpened: boolean): void {
    this.startedAt = startedAt;
    this.sessionOpened ||= sessionOpened;
  }

  /** A new agent thread, or a replaced expired session, is a new session whatever the gate thought. */
  newSession(): void {
    this.sessionOpened = true;
  }

  ran(output: AgentOutput): void {
    this.output = output;
    if (output.sessionRestarted) this.sessionOpened = true;
  }

  report(outcome: "done" | "failed", checkpoint: TurnCheckpoint): TurnReport {
    // Declared sizes of the uploaded attachments: known again after a resume, unlike bytes counted in flight.
    const uploaded = (checkpoint.uploads ?? []).map((u) => u.index);
    const attachments = this.item.message.attachments;
    const bytesIn = uploaded.reduce((sum, index) => sum + (attachments[index]?.size ?? 0), 0);
    const output = this.output;
    return {
      outcome,
      backend: this.backend,
      startedAt: this.startedAt,
      endedAt: this.now(),
      ...(output?.usage ? { tokens: output.usage } : {}),
      filesIn: uploaded.length,
      bytesIn,
      filesOut: output ? output.images.length + output.files.length : 0,
      bytesOut: output
        ? output.images.reduce((sum, i) => sum + i.data.length, 0) +
          output.files.reduce((sum, f) => sum + (f.size ?? 0), 0)
        : 0,
      sessionOpened: this.sessionOpened,
    };
  }

  /** Told to the observer; a failing observer never fails the turn. */
  async tell(
    observer: TurnObserver,
    observed: ObservedTurn,
    outcome: "done" | "failed",
    checkpoint: TurnCheckpoint,
    log: Logger,
  ): Promise<void> {
    try {
      await observer.ended?.(observed, this.report(outcome, checkpoint));
    } catch (error) {
      log.warn({ err: error }, "could not record the turn's usage");
    }
  }
}
