/** What the core tells a {@link TurnObserver} about a turn, and the observer that watches nothing. */
import type { InboxItem, ObservedTurn, TurnObserver } from "../ports";

/** The observer used when none is given. */
export const NO_TURN_OBSERVER: TurnObserver = {
  turn: (_turn, work) => work(),
  stage: (_turn, _stage, work) => work(),
};

/** A claimed item as an observer sees it (ids and counts, no text). */
export function observedTurn(item: InboxItem, claimedAt = Date.now()): ObservedTurn {
  const { message } = item;
  const enqueued = Date.parse(item.enqueuedAt);
  return {
    seq: item.seq,
    messageId: message.id,
    threadId: message.threadId,
    platform: message.platform,
    attempt: item.attempts,
    queuedMs: Number.isFinite(enqueued) ? Math.max(0, claimedAt - enqueued) : 0,
    files: message.attachments.length,
    user: message.author.id,
    ...(message.origin?.workspace ? { workspace: message.origin.workspace } : {}),
    ...(message.origin?.channel ? { channel: message.origin.channel } : {}),
  };
}
