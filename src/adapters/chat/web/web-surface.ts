/**
 * The web chat as the core sees it: replies are written to the thread's transcript (charts and files copied to
 * disk) and pushed to open tabs; progress goes to open tabs; attachments are the files uploaded earlier.
 */
import type { ChatSurface, TurnView } from "../../../core/ports";
import { decodeThreadId, encodeThreadId } from "../../../core/thread-id";
import type { AttachmentMeta, InboundMessage, Progress, Reply } from "../../../core/types";
import { DatabotError, ErrorCode } from "../../../core/errors";
import type { Logger } from "../../../core/logger";
import type { LiveEvents } from "./live-events";
import { presentEntry, type TranscriptStore } from "./transcript";
import type { UploadStore } from "./uploads";

/** The thread id of a web thread key, and back. */
export function webThreadId(key: string): string {
  return encodeThreadId("web", [key]);
}

export function webThreadKey(threadId: string): string {
  const { platform, parts } = decodeThreadId(threadId);
  if (platform !== "web" || parts.length !== 1) throw new Error(`Not a web thread id: ${threadId}`);
  return parts[0]!;
}

export class WebSurface implements ChatSurface {
  readonly platform = "web" as const;

  constructor(
    private readonly transcripts: TranscriptStore,
    private readonly uploads: UploadStore,
    private readonly live: LiveEvents,
    private readonly logger: Logger,
  ) {}

  openTurn(message: InboundMessage): TurnView {
    const key = webThreadKey(message.threadId);
    const show = (progress: Progress) =>
      this.live.publish(key, { type: "progress", messageId: message.id, progress });
    return {
      status: async (status) => show(status),
      // Open tabs render the Markdown themselves; every version of the text is pushed as it comes.
      draft: {
        render: (markdown) => markdown,
        open: async (text) => (show({ stage: "answering", text }), {}),
        update: async (_handle, text) => (show({ stage: "answering", text }), true),
      },
      finish: (reply) => this.postReply(message, reply),
      fail: (reply) => this.postReply(message, reply),
      // A tab that connects later must not see this turn's last status as if it were still running here.
      abandon: async () => this.live.endTurn(key, message.id),
    };
  }

  async announceQueued(message: InboundMessage, position: number): Promise<void> {
    const progress: Progress = { stage: "queued", position };
    this.live.publish(webThreadKey(message.threadId), { type: "progress", messageId: message.id, progress });
  }

  private async postReply(message: InboundMessage, reply: Reply): Promise<void> {
    const key = webThreadKey(message.threadId);
    const entry = await this.transcripts.addBot(key, { replyTo: message.id, ...reply });
    // Undefined when the thread was deleted: the reply (a deleted thread's `reset`) has nowhere to go.
    if (entry) this.live.publish(key, { type: "entry", entry: presentEntry(key, entry) });
    else this.live.endTurn(key, message.id);
    if (!reply.error) {
      // The backend has its copy now; a failed turn keeps them for `retry`.
      for (const attachment of message.attachments) {
        const id = attachment.ref.upload;
        if (typeof id === "string") {
          await this.uploads.remove(id).catch((error: unknown) => {
            this.logger.warn({ err: error, upload: id }, "could not delete an uploaded file");
          });
        }
      }
    }
  }

  async openAttachment(_message: InboundMessage, attachment: AttachmentMeta) {
    const id = attachment.ref.upload;
    if (typeof id !== "string") {
      throw new DatabotError(
        ErrorCode.AttachmentUnavailable,
        `"${attachment.name}" was not uploaded through the web chat`,
      );
    }
    return this.uploads.open(id, attachment.name);
  }
}
