/**
 * Something that keeps data about conversations and deletes it when it is older than `RETENTION_DAYS`: the
 * usage ledger, the inbox, a surface's transcripts, staged uploads or "Show code" records. The scheduled purge
 * asks every target in turn and logs what each deleted — ids, never contents.
 */
export interface RetentionTarget {
  /** A short name for the purge's log line ("usage", "web-transcripts"). */
  readonly name: string;
  /** Deletes what was last touched before `cutoff`; returns the ids of what it deleted. */
  purgeOlderThan(cutoff: Date): Promise<string[]>;
  /**
   * Deletes what it keeps for one chat thread (`databot forget`, `reset`); returns the ids deleted. Targets that
   * keep nothing per thread leave it out.
   */
  forgetThread?(chatThreadId: string): Promise<string[]>;
}
