/**
 * The Slack chat surface the core answers through: replies, progress and file downloads, each in its own file.
 */
import type { Readable } from "node:stream";
import type { ChatSurface } from "../../core/ports";
import type { AttachmentMeta, InboundMessage, Progress, Reply } from "../../core/types";
import type { SlackDownloader } from "./download";
import type { SlackProgress } from "./progress";
import type { SlackReplier } from "./reply";

export class SlackSurface implements ChatSurface {
  readonly platform = "slack" as const;

  constructor(
    private readonly replier: SlackReplier,
    private readonly progress: SlackProgress,
    private readonly downloader: SlackDownloader,
  ) {}

  postReply(message: InboundMessage, reply: Reply): Promise<void> {
    return this.replier.post(message, reply);
  }

  async updateProgress(message: InboundMessage, progress: Progress): Promise<void> {
    this.progress.update(message, progress);
  }

  openAttachment(_message: InboundMessage, attachment: AttachmentMeta): Promise<Readable> {
    return this.downloader.open(attachment);
  }
}
