/**
 * Uploads a file from disk to a OneDrive/SharePoint upload session (the URL Graph's `createUploadSession` or a
 * Teams file-consent acceptance hands out). The URL is pre-authorized: no token is sent. The file goes in
 * chunks read from disk, so it is never held in memory whole.
 */
import fs from "node:fs/promises";
import { DatabotError, ErrorCode } from "../../../core/errors";
import { OutboundError } from "../../outbound/guard";
import type { TeamsFetcher } from "./scoped-fetch";

/** Chunks must be multiples of 320 KiB; 3.75 MiB keeps requests well under the 60 MiB cap. */
const CHUNK_BYTES = 320 * 1024 * 12;

/** The driveItem the upload created. */
export interface UploadedItem {
  id: string;
  name: string;
  webUrl?: string;
  eTag?: string;
}

export async function uploadToSession(
  fetcher: TeamsFetcher,
  uploadUrl: string,
  file: { name: string; path: string; size: number },
): Promise<UploadedItem> {
  const handle = await fs.open(file.path, "r");
  try {
    let offset = 0;
    for (;;) {
      const length = Math.min(CHUNK_BYTES, file.size - offset);
      const chunk = Buffer.alloc(length);
      if (length > 0) await handle.read(chunk, 0, length, offset);
      const range = file.size === 0 ? "bytes */0" : `bytes ${offset}-${offset + length - 1}/${file.size}`;
      let response: { status: number; body: unknown };
      try {
        response = await fetcher.json(uploadUrl, {
          method: "PUT",
          headers: { "content-range": range, "content-length": String(length) },
          body: chunk,
          timeoutMs: 120_000,
        });
      } catch (error) {
        if (error instanceof OutboundError) throw uploadError(file.name, error.message);
        throw error;
      }
      const payload = response.body as Partial<UploadedItem> & { nextExpectedRanges?: string[] };
      if (response.status === 200 || response.status === 201) {
        return {
          id: payload.id ?? "",
          name: payload.name ?? file.name,
          webUrl: payload.webUrl,
          eTag: payload.eTag,
        };
      }
      if (response.status !== 202) throw uploadError(file.name, `upload answered HTTP ${response.status}`);
      const next = Number(/^(\d+)-/.exec(payload.nextExpectedRanges?.[0] ?? "")?.[1] ?? offset + length);
      if (next <= offset) throw uploadError(file.name, "upload session made no progress");
      offset = next;
    }
  } finally {
    await handle.close();
  }
}

function uploadError(name: string, detail: string): DatabotError {
  return new DatabotError(ErrorCode.PostFailed, `I couldn't upload "${name}" to Teams.`, { detail });
}
