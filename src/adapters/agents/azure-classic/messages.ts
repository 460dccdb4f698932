/**
 * Uploading a file (streamed, never buffered) and adding a user message with its files attached for the code
 * interpreter. Files are attached per message, not as thread tool resources, which hold at most 20 files.
 */
import { PassThrough } from "node:stream";
import type { AgentsClient, ThreadMessage } from "@azure/ai-agents";
import { DatabotError, ErrorCode } from "../../../core/errors";
import type { Logger } from "../../../core/logger";
import type { AgentFileInput, AgentMessageInput, UploadedFile } from "../../../core/ports/agent-backend";
import { createOnce, REQUEST_TOKEN_KEY } from "./create-once";
import { toDatabotError } from "./errors";
import { findFirst, listAll } from "./paging";
import type { RetrySettings } from "./retry-policy";

/** Uploads one file as a stream with purpose `assistants`. */
export async function uploadFile(
  client: AgentsClient,
  file: AgentFileInput,
  logger: Logger,
  signal?: AbortSignal,
): Promise<UploadedFile> {
  // The SDK pipes its multipart body into the request with `pipe`, which on a failing source neither ends the
  // request (the upload would hang) nor handles the body's error (it would be thrown, unhandled). So the SDK
  // reads a body that never fails, and a failure reading the source (the chat platform's download) aborts the
  // request instead; the real cause is kept for the error.
  let sourceError: unknown;
  const sourceFailed = new AbortController();
  const body = new PassThrough();
  const onSourceError = (error: unknown) => {
    sourceError ??= error;
    sourceFailed.abort(error);
    // The request is destroyed by now; ending the body lets the SDK's own stream finish quietly.
    setImmediate(() => body.end());
  };
  file.stream.on("error", onSourceError);
  file.stream.pipe(body);
  try {
    const info = await client.files.upload(body, "assistants", {
      fileName: file.name,
      abortSignal: signal ? AbortSignal.any([signal, sourceFailed.signal]) : sourceFailed.signal,
      pollingOptions: { intervalInMs: 500 },
    });
    logger.info({ fileId: info.id, bytes: info.bytes }, "uploaded a file to Azure AI Foundry");
    return { id: info.id, name: file.name, mimeType: file.mimeType };
  } catch (error) {
    if (sourceError instanceof DatabotError) throw sourceError;
    if (sourceError !== undefined) {
      throw new DatabotError(
        ErrorCode.AttachmentUnavailable,
        `databot could not read ${file.name} from the chat.`,
        {
          retryable: true,
          cause: sourceError,
        },
      );
    }
    if (error instanceof Error && error.message.startsWith("Operation failed")) {
      throw new DatabotError(ErrorCode.FileRefused, `Azure AI Foundry could not process ${file.name}.`, {
        cause: error,
        detail: error.message,
      });
    }
    throw toDatabotError(error, `uploading ${file.name}`);
  } finally {
    file.stream.off("error", onSourceError);
  }
}

/** The message text: who asks, the question, and which attached file is which. */
function composeMessageText(message: AgentMessageInput): string {
  const parts: string[] = [];
  const text =
    message.text.trim() ||
    (message.files.length > 0 ? "Please look at the attached files." : "(empty message)");
  parts.push(message.authorName ? `From ${message.authorName}:\n${text}` : text);
  if (message.files.length > 0) {
    parts.push(
      "Files attached to this message (in /mnt/data under their ids):\n" +
        message.files.map((f) => `- ${f.name} → /mnt/data/${f.id}`).join("\n"),
    );
  }
  return parts.join("\n\n");
}

/** Adds the user message once, even when an answer is lost and the request is retried. */
export async function addMessage(
  client: AgentsClient,
  threadId: string,
  message: AgentMessageInput,
  retry: RetrySettings,
  logger: Logger,
): Promise<string> {
  const content = composeMessageText(message);
  const attachments = message.files.map((f) => ({
    fileId: f.id,
    tools: [{ type: "code_interpreter" as const }],
  }));
  try {
    const outcome = await createOnce<ThreadMessage, ThreadMessage>(
      "message",
      (token) =>
        client.messages.create(threadId, "user", content, {
          attachments,
          metadata: { [REQUEST_TOKEN_KEY]: token },
        }),
      (token) =>
        findFirst(
          (page) => client.messages.list(threadId, page),
          (m) => m.metadata?.[REQUEST_TOKEN_KEY] === token,
        ),
      retry,
      logger,
    );
    const created = "created" in outcome ? outcome.created : outcome.found;
    logger.debug({ threadId, messageId: created.id, files: message.files.length }, "added the user message");
    return created.id;
  } catch (error) {
    throw toDatabotError(error, "adding the message");
  }
}

/** Every file a thread refers to: message attachments, charts, and files linked from answers. */
export async function threadFileIds(client: AgentsClient, threadId: string): Promise<string[]> {
  const messages = await listAll((page) => client.messages.list(threadId, page), "asc");
  const ids = new Set<string>();
  for (const message of messages) {
    for (const attachment of message.attachments ?? []) if (attachment.fileId) ids.add(attachment.fileId);
    for (const content of message.content) {
      const part = content as {
        imageFile?: { fileId?: string };
        text?: { annotations?: { filePath?: { fileId?: string } }[] };
      };
      if (part.imageFile?.fileId) ids.add(part.imageFile.fileId);
      for (const annotation of part.text?.annotations ?? []) {
        if (annotation.filePath?.fileId) ids.add(annotation.filePath.fileId);
      }
    }
  }
  return [...ids];
}
