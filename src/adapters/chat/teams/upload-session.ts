/**
 * Uploads a stored file to a OneDrive/SharePoint upload session (the URL Graph's `createUploadSession` or a
 * Teams file-consent acceptance hands out). The URL is pre-authorized: no token is sent. The file goes in
 * chunks read from its stream, so it is never held in memory whole.
 */
import type { Readable } from "node:stream";
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
  file: { name: string; size: number; open(): Promise<Readable> },
): Promise<UploadedItem> {
  const reader = new ChunkReader(await file.open());
  try {
    let offset = 0;
    for (;;) {
      const length = Math.min(CHUNK_BYTES, file.size - offset);
      const chunk = await reader.take(length);
      if (chunk.length < length) throw uploadError(file.name, "the stored file is shorter than recorded");
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
      if (next <= offset || next > offset + length)
        throw uploadError(file.name, "upload session made no progress");
      // The session took only part of the chunk: send the rest again at the start of the next one.
      reader.giveBack(chunk.subarray(next - offset));
      offset = next;
    }
  } finally {
    reader.close();
  }
}

/** Reads a stream in pieces of a given size, keeping what is left over for the next piece. */
class ChunkReader {
  private readonly iterator: AsyncIterator<Buffer>;
  private rest: Buffer = Buffer.alloc(0);

  constructor(private readonly stream: Readable) {
    this.iterator = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  /** The next `length` bytes, or fewer at the end of the stream. */
  async take(length: number): Promise<Buffer> {
    const parts = [this.rest];
    let have = this.rest.length;
    while (have < length) {
      const { value, done } = await this.iterator.next();
      if (done) break;
      parts.push(value);
      have += value.length;
    }
    const all = Buffer.concat(parts);
    this.rest = all.subarray(length);
    return all.subarray(0, length);
  }

  giveBack(bytes: Buffer): void {
    if (bytes.length > 0) this.rest = Buffer.concat([bytes, this.rest]);
  }

  close(): void {
    this.stream.destroy();
  }
}

function uploadError(name: string, detail: string): DatabotError {
  return new DatabotError(ErrorCode.PostFailed, `I couldn't upload "${name}" to Teams.`, { detail });
}
