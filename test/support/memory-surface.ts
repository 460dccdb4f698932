/**
 * A chat surface that keeps what databot posted in memory, for stories that need no platform. Attachments are
 * opened from their `ref`: `{text}` for inline content, `{path}` for a file, `{bytes, fill}` for a generated
 * stream of that many bytes (never held in memory).
 */
import fs from "node:fs";
import { Readable } from "node:stream";
import type { ChatSurface, TurnView } from "../../src/core/ports";
import type { AttachmentMeta, InboundMessage, Platform, Progress, Reply } from "../../src/core/types";
import { DatabotError, ErrorCode } from "../../src/core/errors";

export interface PostedReply {
  threadId: string;
  messageId: string;
  reply: Reply;
  /** The generated files' contents, read when posted (as a chat platform would upload them). */
  fileContents: Record<string, string>;
}

export class MemorySurface implements ChatSurface {
  readonly replies: PostedReply[] = [];
  readonly progress: { messageId: string; progress: Progress }[] = [];
  private readonly waiters: { count: number; resolve: () => void }[] = [];

  constructor(readonly platform: Platform = "cli") {}

  openTurn(message: InboundMessage): TurnView {
    const record = (progress: Progress) => void this.progress.push({ messageId: message.id, progress });
    return {
      status: async (status) => record(status),
      // The answer so far, as a draft it "edits": every text the turn showed is recorded.
      draft: {
        render: (markdown) => markdown,
        open: async (text) => (record({ stage: "answering", text }), {}),
        update: async (_handle, text) => (record({ stage: "answering", text }), true),
      },
      // Through the property, so a test (or a benchmark) can wrap it.
      finish: (reply) => this.postReply(message, reply),
      fail: (reply) => this.postReply(message, reply),
    };
  }

  async announceQueued(message: InboundMessage, position: number): Promise<void> {
    this.progress.push({ messageId: message.id, progress: { stage: "queued", position } });
  }

  /** Records a reply (reading its files, as a platform would upload them). */
  async postReply(message: InboundMessage, reply: Reply): Promise<void> {
    const fileContents: Record<string, string> = {};
    for (const file of reply.files) {
      const chunks: Buffer[] = [];
      for await (const chunk of await file.open()) chunks.push(Buffer.from(chunk as Buffer));
      fileContents[file.name] = Buffer.concat(chunks).toString("utf8");
    }
    this.replies.push({ threadId: message.threadId, messageId: message.id, reply, fileContents });
    for (const waiter of [...this.waiters]) {
      if (this.replies.length >= waiter.count) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }

  async openAttachment(_message: InboundMessage, attachment: AttachmentMeta): Promise<Readable> {
    const ref = attachment.ref;
    if (typeof ref.text === "string") return Readable.from([Buffer.from(ref.text)]);
    if (typeof ref.base64 === "string") return Readable.from([Buffer.from(ref.base64, "base64")]);
    if (typeof ref.path === "string") return fs.createReadStream(ref.path);
    if (typeof ref.bytes === "number")
      return generated(ref.bytes, typeof ref.fill === "string" ? ref.fill : "a,b\n");
    throw new DatabotError(ErrorCode.AttachmentUnavailable, `the link to "${attachment.name}" has expired`);
  }

  /** Resolves once `count` replies were posted in total. */
  waitForReplies(count: number): Promise<void> {
    if (this.replies.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  repliesIn(threadId: string): PostedReply[] {
    return this.replies.filter((r) => r.threadId === threadId);
  }
}

/** A stream of `total` bytes made of `pattern` repeated, produced lazily in 64 KB chunks. */
export function generated(total: number, pattern: string): Readable {
  const block = Buffer.from(pattern.repeat(Math.ceil(65536 / pattern.length))).subarray(0, 65536);
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return this.push(null);
      const size = Math.min(block.length, total - sent);
      sent += size;
      this.push(size === block.length ? block : block.subarray(0, size));
    },
  });
}
