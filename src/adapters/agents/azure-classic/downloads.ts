/**
 * Reading file content from the service. The SDK's plain `getContent()` decodes the body as text, which corrupts
 * binary files such as PNGs, and it does not throw on a 404: content is always read with `.asNodeStream()` and
 * the status is checked.
 */
import type { Readable } from "node:stream";
import type { AgentsClient } from "@azure/ai-agents";
import { DatabotError, ErrorCode } from "../../../core/errors";
import { statusOf, toDatabotError } from "./errors";

function gone(name: string, cause?: unknown): DatabotError {
  return new DatabotError(
    ErrorCode.AttachmentUnavailable,
    `The file ${name} is no longer available on Azure AI Foundry.`,
    {
      cause,
    },
  );
}

/** Opens a file's content as a stream of its exact bytes. */
export async function openFileContent(client: AgentsClient, fileId: string, name: string): Promise<Readable> {
  let response;
  try {
    response = await client.files.getContent(fileId).asNodeStream();
  } catch (error) {
    if (statusOf(error) === 404) throw gone(name, error);
    throw toDatabotError(error, `downloading ${name}`);
  }
  const body = response.body as Readable | undefined;
  if (response.status !== "200" || !body) {
    body?.resume(); // discard the error body so the connection is freed
    if (response.status === "404") throw gone(name);
    throw new DatabotError(ErrorCode.BackendUnavailable, `Azure AI Foundry did not hand over ${name}.`, {
      retryable: true,
      detail: `file content ${fileId}: status ${response.status}`,
    });
  }
  return body;
}

/** Reads a small file (a chart) into memory, refusing more than `maxBytes`. */
export async function readFileBytes(
  client: AgentsClient,
  fileId: string,
  name: string,
  maxBytes: number,
): Promise<Buffer> {
  const stream = await openFileContent(client, fileId, name);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      stream.destroy();
      throw new DatabotError(ErrorCode.Internal, `The chart ${name} is too large to post.`, {
        detail: `image ${fileId} exceeds ${maxBytes} bytes`,
      });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
