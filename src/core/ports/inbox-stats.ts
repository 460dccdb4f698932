/** How many messages the durable inbox holds that are not finished yet. */
export interface InboxDepth {
  /** Waiting for a worker (including those queued behind an earlier message of their thread). */
  pending: number;
  /** Claimed by a worker now (or left by one that stopped, until its lease lapses). */
  processing: number;
}

/**
 * Read-only counts a {@link Store} may offer for the operators' inbox-depth gauge. Counts the whole inbox, every
 * replica's work included; cheap enough to call on every metrics scrape. A store without it has no such gauge.
 */
export interface InboxStats {
  inboxDepth(): Promise<InboxDepth>;
}
