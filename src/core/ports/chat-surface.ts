import type { Readable } from "node:stream";
import type { AttachmentMeta, InboundMessage, Platform, Progress, Reply } from "../types";

/**
 * A chat surface: Slack, Teams, the web chat or the CLI. The core calls it to answer in the thread a message
 * came from. Every method receives the original {@link InboundMessage}, whose `context` holds what the adapter
 * stored to reach that thread again (recipient ids, a conversation reference).
 *
 * @example
 * ```ts
 * const surface: ChatSurface = {
 *   platform: "cli",
 *   async postReply(message, reply) { console.log(reply.text); },
 *   async updateProgress() {},
 *   async openAttachment(message, attachment) { return fs.createReadStream(String(attachment.ref.path)); },
 * };
 * ```
 */
export interface ChatSurface {
  /** Which platform's thread ids this surface answers. */
  readonly platform: Platform;

  /**
   * Posts the reply into the message's thread. Called once per message; throwing marks the turn failed (the
   * core logs it and does not post again).
   */
  postReply(message: InboundMessage, reply: Reply): Promise<void>;

  /**
   * Shows where the turn is (status line, typing indicator, streamed text). Best effort: the core ignores
   * failures here, and may call it often, so surfaces throttle as their platform requires.
   */
  updateProgress(message: InboundMessage, progress: Progress): Promise<void>;

  /**
   * Opens a readable stream of an attachment's bytes, rebuilt from its serialisable metadata — possibly after a
   * restart. Throws a `DatabotError` with code `attachment_unavailable` and a user-facing reason (expired link,
   * missing permission) when the file cannot be read.
   */
  openAttachment(message: InboundMessage, attachment: AttachmentMeta): Promise<Readable>;
}
