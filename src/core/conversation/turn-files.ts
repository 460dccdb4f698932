/**
 * Moves a message's attachments from the chat to the agent backend: each file is checked by the file policy,
 * streamed from the surface, inspected and uploaded. A refused or unreadable file becomes a notice; the other
 * files still go through.
 */
import type { AgentBackend, ChatSurface, TurnCheckpoint, UploadedFile } from "../ports";
import type { InboundMessage, Notice } from "../types";
import { DatabotError, ErrorCode } from "../errors";
import { FilePolicy } from "../files/file-policy";
import type { Logger } from "../logger";

export interface TurnFilesDeps {
  surface: ChatSurface;
  backend: AgentBackend;
  policy: FilePolicy;
  logger: Logger;
  /** Persists progress after each file, so a restart does not upload twice. */
  save(patch: TurnCheckpoint): Promise<void>;
  signal: AbortSignal;
}

/** Uploads what is not yet uploaded; returns every uploaded file and every notice. */
export async function transferAttachments(
  message: InboundMessage,
  checkpoint: TurnCheckpoint,
  deps: TurnFilesDeps,
): Promise<{ uploads: UploadedFile[]; notices: Notice[] }> {
  const uploads = [...(checkpoint.uploads ?? [])];
  const notices = [...(checkpoint.notices ?? [])];
  const refused = [...(checkpoint.refused ?? [])];
  const decided = new Set([...uploads.map((u) => u.index), ...refused]);

  for (const [index, attachment] of message.attachments.entries()) {
    if (decided.has(index)) continue;
    deps.signal.throwIfAborted();
    const verdict = deps.policy.precheck(attachment);
    if (!verdict.ok) {
      notices.push(refusal(attachment.name, `I couldn't use "${attachment.name}": ${verdict.reason}.`));
      refused.push(index);
      await deps.save({ notices, refused });
      continue;
    }
    // The size cap is enforced by the stream itself; remember its error, since a backend may wrap it.
    let streamError: unknown;
    try {
      const source = await deps.surface.openAttachment(message, attachment);
      const stream = await deps.policy.inspect(source, verdict.name, verdict.type);
      stream.on("error", (error) => (streamError = error));
      const file = await deps.backend.uploadFile(
        { name: verdict.name, mimeType: verdict.type.mimeTypes[0]!, size: attachment.size, stream },
        deps.signal,
      );
      uploads.push({ index, file });
      deps.logger.info({ file: verdict.name, fileId: file.id, bytes: attachment.size }, "file uploaded");
      await deps.save({ uploads });
    } catch (error) {
      if (deps.signal.aborted) throw error;
      const userFacing = fileErrorMessage(
        streamError instanceof DatabotError ? streamError : error,
        attachment.name,
      );
      if (!userFacing) throw error; // the backend itself failed: the whole turn reports it
      deps.logger.warn({ file: attachment.name, code: (error as DatabotError).code }, "file refused");
      notices.push(refusal(attachment.name, userFacing));
      refused.push(index);
      await deps.save({ notices, refused });
    }
  }
  return { uploads: uploads.map((u) => u.file), notices };
}

/** A file-level failure's message, or undefined when the failure is not about this file. */
function fileErrorMessage(error: unknown, name: string): string | undefined {
  if (!(error instanceof DatabotError)) return undefined;
  if (error.code === ErrorCode.FileRefused) return error.userMessage;
  if (error.code === ErrorCode.AttachmentUnavailable) {
    return error.userMessage.includes(name)
      ? error.userMessage
      : `I couldn't read "${name}": ${error.userMessage}`;
  }
  return undefined;
}

function refusal(file: string, message: string): Notice {
  return { kind: "file_refused", file, message };
}
