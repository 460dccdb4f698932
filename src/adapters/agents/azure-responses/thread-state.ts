/**
 * What the backend remembers about each chat thread beyond its conversation id (the id the core keeps in its
 * thread map): the thread's container, the files shared in it, the newest user message and the newest response.
 * It lives in the store's key-value space, so a restart — or another replica on the same store — continues the
 * thread where it was.
 */
import type { KeyValueSpace } from "../../../core/ports/store";
import type { JsonValue } from "../../../core/types";

/** A file shared in the thread: uploaded once (its id never changes), copied into each container it needs. */
export interface ThreadFile {
  id: string;
  name: string;
  mimeType: string;
  /** Where the current container holds it, e.g. `/mnt/data/sales.csv`. */
  path: string;
}

export interface ThreadState {
  conversationId: string;
  containerId: string;
  files: ThreadFile[];
  /** The newest user message in the conversation: the one the next response answers. */
  lastMessageId?: string;
  /** The newest response started on the conversation, and the message it answers. */
  lastResponse?: { id: string; messageId?: string };
  /**
   * Set when the container was replaced after the thread's message was added: the run that follows reports
   * it, so the core can tell the user.
   */
  pendingRestart?: { filesRestored: boolean };
  /** Set after a replacement until the next message tells the model that earlier variables are gone. */
  tellModelRestarted?: boolean;
}

/** A small key-value view, so the backend can move to any namespaced key-value port later. */
export interface ThreadStates {
  get(conversationId: string): Promise<ThreadState | undefined>;
  put(state: ThreadState): Promise<void>;
  delete(conversationId: string): Promise<void>;
}

export const THREAD_STATE_NAMESPACE = "azure-responses:thread";

/** Thread states kept in a key-value space of the store. */
export function storeThreadStates(space: KeyValueSpace): ThreadStates {
  return {
    async get(conversationId) {
      const value = await space.get<JsonValue>(conversationId);
      return value && typeof value === "object" && !Array.isArray(value)
        ? (value as unknown as ThreadState)
        : undefined;
    },
    put: (state) => space.put(state.conversationId, state as unknown as JsonValue),
    delete: (conversationId) => space.delete(conversationId),
  };
}
