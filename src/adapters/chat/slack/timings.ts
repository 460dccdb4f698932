/** How the Slack surface paces what it shows while a question is worked on. */
export interface SlackTimings {
  /** The first status line of a turn waits this long; a question answered sooner shows none. */
  statusDelayMs: number;
  /** Start showing the answer text only when it is still being written after this long. */
  streamAfterMs: number;
  /** Least time between two writes to the live answer (Slack's rate limits). */
  writeIntervalMs: number;
  /** Stop a native stream before Slack ends it (after about five minutes) and continue with edits. */
  streamMaxAgeMs: number;
}

export const DEFAULT_TIMINGS: SlackTimings = {
  statusDelayMs: 400,
  streamAfterMs: 1500,
  writeIntervalMs: 1000,
  streamMaxAgeMs: 270_000,
};
