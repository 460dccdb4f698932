/**
 * The command line as a chat surface: attachments are local files, progress goes to stderr, and the reply is
 * handed to whoever waits for that message.
 */
import fs from "node:fs";
import type { Readable } from "node:stream";
import { DatabotError, ErrorCode } from "../../../core/errors";
import type { ChatSurface, QueueReason, TurnStatus, TurnView } from "../../../core/ports";
import type { AttachmentMeta, InboundMessage, Progress, Reply } from "../../../core/types";

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
  /** Who waits for which reply: `databot ask` asks, then waits for its answer. */
  private readonly waiting = new Map<string, (reply: Reply) => void>();

  constructor(private readonly progressOut?: NodeJS.WritableStream) {}

  /** Resolves with the reply to `messageId`. */
  replyTo(messageId: string): Promise<Reply> {
    return new Promise((resolve) => this.waiting.set(messageId, resolve));
  }

  openTurn(message: InboundMessage): TurnView {
    const deliver = async (reply: Reply) => {
      const waiter = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      waiter?.(reply);
    };
    let lastStage: Progress["stage"] | undefined;
    const say = (stage: Progress["stage"]) => {
      if (!this.progressOut || stage === lastStage) return;
      lastStage = stage;
      this.progressOut.write(`databot: ${STAGE_TEXT[stage]}…\n`);
    };
    return {
      status: async (status: TurnStatus) => say(status.stage),
      // The answer is printed whole at the end; while it is written, the terminal says so once.
      draft: {
        render: (markdown) => markdown,
        open: async () => (say("answering"), {}),
        update: async () => true,
      },
      finish: deliver,
      fail: deliver,
    };
  }

  async announceQueued(_message: InboundMessage, position: number, reason?: QueueReason): Promise<void> {
    const text =
      reason === "sessions"
        ? `waiting for a free analysis session (number ${position} in line)`
        : STAGE_TEXT.queued;
    this.progressOut?.write(`databot: ${text}…\n`);
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
