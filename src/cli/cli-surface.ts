/**
 * The command line as a chat surface: attachments are local files, progress goes to stderr, and the reply is
 * handed to whoever waits for that message.
 */
import fs from "node:fs";
import type { Readable } from "node:stream";
import { DatabotError, ErrorCode } from "../core/errors";
import type { ChatSurface } from "../core/ports";
import type { AttachmentMeta, InboundMessage, Progress, Reply } from "../core/types";

const STAGE_TEXT: Record<Progress["stage"], string> = {
  queued: "waiting for earlier questions in this thread",
  receiving_files: "reading files",
  thinking: "thinking",
  running_code: "running code",
  answering: "writing the answer",
  posting: "posting the answer",
};

export class CliSurface implements ChatSurface {
  readonly platform = "cli" as const;
  private readonly waiting = new Map<string, (reply: Reply) => void>();
  private lastStage?: string;

  constructor(private readonly progressOut?: NodeJS.WritableStream) {}

  /** Resolves with the reply to `messageId`. */
  replyTo(messageId: string): Promise<Reply> {
    return new Promise((resolve) => this.waiting.set(messageId, resolve));
  }

  async postReply(message: InboundMessage, reply: Reply): Promise<void> {
    const waiter = this.waiting.get(message.id);
    this.waiting.delete(message.id);
    waiter?.(reply);
  }

  async updateProgress(_message: InboundMessage, progress: Progress): Promise<void> {
    if (!this.progressOut || progress.stage === this.lastStage) return;
    this.lastStage = progress.stage;
    this.progressOut.write(`databot: ${STAGE_TEXT[progress.stage]}…\n`);
  }

  async openAttachment(_message: InboundMessage, attachment: AttachmentMeta): Promise<Readable> {
    const filePath = attachment.ref.path;
    if (typeof filePath !== "string" || !fs.existsSync(filePath)) {
      throw new DatabotError(
        ErrorCode.AttachmentUnavailable,
        `"${attachment.name}" no longer exists on disk`,
      );
    }
    return fs.createReadStream(filePath);
  }
}
