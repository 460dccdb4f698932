/**
 * Teams thread and message ids. A thread is a Teams conversation id: a personal chat (`a:...`), a group chat
 * (`19:...@thread.v2`) or a channel reply chain (`19:...@thread.tacv2;messageid=<root>`), so follow-ups in a
 * chain share a thread. The service URL is deliberately not part of it: Teams may move a tenant to another
 * service URL, and the agent thread must stay the same. The latest conversation reference is kept in the store
 * under the thread id instead.
 */
import { decodeThreadId, encodeThreadId } from "../../../core/thread-id";

/** The databot thread id of a Teams conversation (a channel's conversation id names its reply chain). */
export function teamsThreadId(conversationId: string): string {
  return encodeThreadId("teams", [conversationId]);
}

/** The Teams conversation id inside a thread id made by {@link teamsThreadId}. */
export function conversationIdOf(threadId: string): string {
  const { platform, parts } = decodeThreadId(threadId);
  if (platform !== "teams" || parts.length !== 1) throw new Error("Not a Teams thread id");
  return parts[0]!;
}

/** A message's dedupe id: the conversation (without the reply-chain suffix) and the activity id. */
export function teamsMessageId(conversationId: string, activityId: string): string {
  return encodeThreadId("teams", [baseConversationId(conversationId), activityId]);
}

/** A channel conversation id without `;messageid=...`. */
function baseConversationId(conversationId: string): string {
  return conversationId.split(";")[0]!;
}

/** The root message id of a channel reply chain, if the conversation id names one. */
export function rootMessageIdOf(conversationId: string): string | undefined {
  return /;messageid=([^;]+)/.exec(conversationId)?.[1];
}
