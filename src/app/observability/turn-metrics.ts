/** Turns as metrics: how many ended and how, how long they took and waited, and how long each stage took. */
import type { TurnObserver } from "../../core/ports";
import { estimateCost, NO_PRICES, type Prices } from "../usage/cost";
import type { DatabotMetrics } from "./metrics";

export function metricsTurnObserver(metrics: DatabotMetrics, prices: Prices = NO_PRICES): TurnObserver {
  return {
    async turn(turn, work) {
      const { platform } = turn;
      // Only a first claim waited in the queue; a resumed turn's wait includes its earlier attempt.
      if (turn.attempt <= 1) metrics.queueWait.observe({ platform }, turn.queuedMs / 1000);
      const timer = metrics.turnDuration.startTimer({ platform });
      let outcome = "crashed";
      try {
        const result = await work();
        outcome = result;
        return result;
      } finally {
        metrics.turns.inc({ platform, outcome });
        timer({ outcome });
      }
    },
    ended(turn, report) {
      const labels = { platform: turn.platform, backend: report.backend };
      if (report.sessionOpened) metrics.usageSessions.inc(labels);
      if (report.tokens) {
        metrics.usageTokens.inc({ ...labels, kind: "input" }, report.tokens.inputTokens);
        metrics.usageTokens.inc({ ...labels, kind: "output" }, report.tokens.outputTokens);
      }
      const cost = estimateCost(prices, {
        sessions: report.sessionOpened ? 1 : 0,
        inputTokens: report.tokens?.inputTokens ?? 0,
        outputTokens: report.tokens?.outputTokens ?? 0,
      });
      if (cost > 0) metrics.usageCost.inc(labels, cost);
    },
    async stage(turn, stage, work) {
      if (stage === "receiving_files" && turn.files === 0) return work();
      const timer = metrics.stageDuration.startTimer({ stage });
      try {
        return await work();
      } finally {
        timer();
      }
    },
  };
}

/** Observers applied one inside the other: the first one's context (a trace span) surrounds the next. */
export function combineObservers(...observers: (TurnObserver | undefined)[]): TurnObserver {
  const present = observers.filter((o): o is TurnObserver => o !== undefined);
  return present.reduceRight<TurnObserver>(
    (inner, outer) => ({
      turn: (turn, work) => outer.turn(turn, () => inner.turn(turn, work)),
      stage: (turn, stage, work) => outer.stage(turn, stage, () => inner.stage(turn, stage, work)),
      ended: async (turn, report) => {
        await outer.ended?.(turn, report);
        await inner.ended?.(turn, report);
      },
    }),
    { turn: (_turn, work) => work(), stage: (_turn, _stage, work) => work() },
  );
}
