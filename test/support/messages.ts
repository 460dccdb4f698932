/** Builders for normalized messages in stories. */
import { randomUUID } from "node:crypto";
import { encodeThreadId } from "../../src/core/thread-id";
import type { AttachmentMeta, InboundMessage, Platform } from "../../src/core/types";

export function threadOf(name: string, platform: Platform = "cli"): string {
  return encodeThreadId(platform, [name]);
}

export function userMessage(
  threadId: string,
  text: string,
  attachments: AttachmentMeta[] = [],
  overrides: Partial<InboundMessage> = {},
): InboundMessage {
  return {
    id: `${threadId}:${randomUUID()}`,
    platform: threadId.split(":")[0] as Platform,
    threadId,
    author: { id: "U1", name: "Ada" },
    text,
    attachments,
    sentAt: new Date().toISOString(),
    ...overrides,
  };
}

export function csvAttachment(name: string, text: string): AttachmentMeta {
  return { name, mimeType: "text/csv", size: Buffer.byteLength(text), ref: { text } };
}
