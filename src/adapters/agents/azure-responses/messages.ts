/**
 * Uploading a file (streamed into the multipart request, never buffered) and adding a user message to the
 * thread's conversation. Adding a message is not idempotent, so it is sent without the client's own retries:
 * after a lost answer databot first looks whether the message arrived, and a conversation still busy with an
 * earlier response (one being cancelled, for example) is waited for.
 */
import { toStreamingFile } from "openai";
import type OpenAI from "openai";
import { sleep } from "../../../core/async";
import { DatabotError, ErrorCode } from "../../../core/errors";
import type { Logger } from "../../../core/logger";
import type { AgentFileInput, AgentMessageInput, UploadedFile } from "../../../core/ports/agent-backend";
import { backoffMs, retryAfterMs } from "../../../core/backoff";
import type { RetrySettings } from "../azure-classic/retry-policy";
import { errorHeaders, isAbort, isConversationLocked, isTransient, statusOf, toDatabotError } from "./errors";
import type { ThreadFile } from "./thread-state";

/** Longest databot waits for a busy conversation before the user is told. */
const LOCK_WAIT_MS = 60_000;

/** Uploads one file as a stream with purpose `assistants`. */
export async function uploadFile(
  openai: OpenAI,
  file: AgentFileInput,
  logger: Logger,
  signal?: AbortSignal,
): Promise<UploadedFile> {
  // A failure reading the source (the chat platform's download) surfaces as a send error: keep the real cause.
  let sourceError: unknown;
  const onSourceError = (error: unknown) => (sourceError = error);
  file.stream.once("error", onSourceError);
  try {
    const info = await openai.files.create(
      { file: toStreamingFile(file.stream, file.name, { type: file.mimeType }), purpose: "assistants" },
      // fetch keeps a copy of a streamed body in case it must follow a redirect, which would hold the whole
      // upload in memory; the service does not redirect uploads, so refusing redirects keeps memory bounded.
      // The client's timeout runs until the answer begins, that is until the whole file is sent: allow an hour.
      { signal, timeout: 60 * 60 * 1000, fetchOptions: { redirect: "error" } },
    );
    if (info.status === "error") {
      throw new DatabotError(ErrorCode.FileRefused, `Azure AI Foundry could not process ${file.name}.`, {
        detail: `file ${info.id} status error`,
      });
    }
    logger.info({ fileId: info.id, bytes: info.bytes }, "uploaded a file to Azure AI Foundry");
    return { id: info.id, name: file.name, mimeType: file.mimeType };
  } catch (error) {
    if (error instanceof DatabotError) throw error;
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
    if (statusOf(error) === 400 || statusOf(error) === 413) {
      throw new DatabotError(ErrorCode.FileRefused, `Azure AI Foundry did not accept ${file.name}.`, {
        cause: error,
        detail: (error as Error).message,
      });
    }
    throw toDatabotError(error, `uploading ${file.name}`);
  } finally {
    file.stream.off("error", onSourceError);
  }
}

/** The message text: who asks, the question, where this message's files are, and a restart note if due. */
export function composeMessageText(
  message: AgentMessageInput,
  files: readonly ThreadFile[],
  restarted?: { allFiles: readonly ThreadFile[] },
): string {
  const parts: string[] = [];
  if (restarted) {
    const listed = restarted.allFiles.map((f) => f.path).join(", ");
    parts.push(
      "[The Python session was restarted: variables and imports from earlier questions are gone." +
        (listed ? ` The conversation's files are in place again: ${listed}.]` : "]"),
    );
  }
  const text =
    message.text.trim() || (files.length > 0 ? "Please look at the attached files." : "(empty message)");
  parts.push(message.authorName ? `From ${message.authorName}:\n${text}` : text);
  if (files.length > 0) {
    parts.push("Files shared with this message:\n" + files.map((f) => `- ${f.name} → ${f.path}`).join("\n"));
  }
  return parts.join("\n\n");
}

/** Adds the user message once, even when an answer is lost; returns its item id. */
export async function addUserMessage(
  openai: OpenAI,
  conversationId: string,
  text: string,
  retry: RetrySettings,
  logger: Logger,
): Promise<string> {
  const lockDeadline = Date.now() + LOCK_WAIT_MS;
  for (let attempt = 0, failures = 0; ; attempt++) {
    try {
      const created = await openai.conversations.items.create(
        conversationId,
        { items: [{ type: "message", role: "user", content: text }] },
        { maxRetries: 0 },
      );
      const id = created.data[0]?.id;
      if (!id) throw new Error("the service added no item");
      return id;
    } catch (error) {
      if (isAbort(error)) throw error;
      const locked = isConversationLocked(error);
      if (!locked && !isTransient(error)) throw toDatabotError(error, "adding the message");
      if (locked ? Date.now() > lockDeadline : ++failures > retry.maxRetries) {
        throw toDatabotError(error, "adding the message");
      }
      if (!locked && statusOf(error) !== 429) {
        const arrived = await findOwnMessage(openai, conversationId, text).catch(() => undefined);
        if (arrived) {
          logger.info({ conversationId }, "the lost attempt had added the message; using it");
          return arrived;
        }
      }
      const asked = retryAfterMs(errorHeaders(error));
      const delay = Math.min(asked ?? backoffMs(Math.min(attempt, 6), retry), retry.maxRetryAfterMs);
      logger.warn(
        { conversationId, status: statusOf(error), locked, attempt: attempt + 1, delayMs: delay },
        "adding the message failed; retrying",
      );
      await (retry.sleep ?? sleep)(delay);
    }
  }
}

/** The newest item, when it is this very user message (a lost attempt went through). */
async function findOwnMessage(
  openai: OpenAI,
  conversationId: string,
  text: string,
): Promise<string | undefined> {
  const page = await openai.conversations.items.list(conversationId, { limit: 1, order: "desc" });
  const newest = page.data[0];
  if (newest?.type !== "message" || newest.role !== "user") return undefined;
  const content = newest.content[0];
  return content && "text" in content && content.text === text ? newest.id : undefined;
}
