/**
 * Decides which shared files go to the agent: a supported extension, a safe name, a size under the cap, and
 * content that matches the extension (a ".csv" that is binary or an ".xlsx" that is not a zip is refused).
 * Files are checked as streams: only the first few kilobytes are held, and the size is counted as bytes flow.
 */
import { Readable } from "node:stream";
import { isBinaryFile } from "isbinaryfile";
import { DatabotError, ErrorCode } from "../errors";
import type { AttachmentMeta } from "../types";
import { fileTypeFor, supportedExtensionsText, type ContentKind, type FileType } from "./file-types";

/** Bytes read ahead to recognise a file's content. */
const HEAD_BYTES = 8192;
const MAX_NAME_LENGTH = 200;

export type Precheck = { ok: true; name: string; type: FileType } | { ok: false; reason: string };

/** Thrown (or emitted by a guarded stream) when a file is refused; `userMessage` names the file and the reason. */
export class FileRefusedError extends DatabotError {
  constructor(
    readonly fileName: string,
    readonly reason: string,
  ) {
    super(ErrorCode.FileRefused, `I couldn't use ${quoteName(fileName)}: ${reason}.`);
  }
}

export class FilePolicy {
  constructor(private readonly maxBytes: number) {}

  /** Checks what is known before downloading: the name, the extension and the declared size. */
  precheck(attachment: Pick<AttachmentMeta, "name" | "size">): Precheck {
    const name = attachment.name.trim();
    if (name === "") return { ok: false, reason: "it has no file name" };
    if (/[/\\]/.test(name) || name.split(/[/\\]/).includes("..") || name.startsWith("..")) {
      return { ok: false, reason: "its name contains a path (like ../), which is not allowed" };
    }
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(name))
      return { ok: false, reason: "its name contains control characters" };
    if (name.length > MAX_NAME_LENGTH)
      return { ok: false, reason: `its name is longer than ${MAX_NAME_LENGTH} characters` };
    const type = fileTypeFor(name);
    if (!type) {
      return {
        ok: false,
        reason: `this file type is not supported (supported: ${supportedExtensionsText()})`,
      };
    }
    if (attachment.size === 0) return { ok: false, reason: "the file is empty" };
    if (attachment.size !== undefined && attachment.size > this.maxBytes) {
      return {
        ok: false,
        reason: `it is ${formatBytes(attachment.size)}, over the ${formatBytes(this.maxBytes)} limit`,
      };
    }
    return { ok: true, name, type };
  }

  /**
   * Reads the head of `source`, checks it against the file type, and returns a stream of the whole file that
   * errors with {@link FileRefusedError} if it grows past the size cap. Rejects when the head does not match.
   */
  async inspect(source: Readable, name: string, type: FileType): Promise<Readable> {
    const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
    const chunks: Buffer[] = [];
    let headLength = 0;
    let done = false;
    try {
      while (headLength < HEAD_BYTES) {
        const next = await iterator.next();
        if (next.done) {
          done = true;
          break;
        }
        const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
        chunks.push(chunk);
        headLength += chunk.length;
      }
    } catch (error) {
      source.destroy();
      throw error;
    }
    const head = Buffer.concat(chunks);
    const problem =
      head.length === 0 ? "the file is empty" : await contentProblem(head, type.content, type.extension);
    if (problem === undefined && head.length > this.maxBytes) {
      source.destroy();
      throw new FileRefusedError(name, `it is over the ${formatBytes(this.maxBytes)} limit`);
    }
    if (problem !== undefined) {
      source.destroy();
      throw new FileRefusedError(name, problem);
    }
    return Readable.from(this.limited(head, done ? undefined : iterator, name), { objectMode: false });
  }

  private async *limited(head: Buffer, rest: AsyncIterator<Buffer | string> | undefined, name: string) {
    let total = head.length;
    yield head;
    if (!rest) return;
    try {
      for (;;) {
        const next = await rest.next();
        if (next.done) return;
        const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
        total += chunk.length;
        if (total > this.maxBytes)
          throw new FileRefusedError(name, `it is over the ${formatBytes(this.maxBytes)} limit`);
        yield chunk;
      }
    } finally {
      await rest.return?.();
    }
  }
}

const SIGNATURES: Partial<Record<ContentKind, { bytes: number[]; offset?: number }[]>> = {
  zip: [{ bytes: [0x50, 0x4b, 0x03, 0x04] }, { bytes: [0x50, 0x4b, 0x05, 0x06] }],
  pdf: [{ bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] }],
  png: [{ bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] }],
  jpeg: [{ bytes: [0xff, 0xd8, 0xff] }],
  gif: [{ bytes: [0x47, 0x49, 0x46, 0x38] }],
  tar: [{ bytes: [0x75, 0x73, 0x74, 0x61, 0x72], offset: 257 }],
};

const KIND_NAMES: Record<ContentKind, string> = {
  text: "text",
  zip: "a zip container",
  pdf: "a PDF",
  png: "a PNG image",
  jpeg: "a JPEG image",
  gif: "a GIF image",
  tar: "a tar archive",
};

async function contentProblem(
  head: Buffer,
  kind: ContentKind,
  extension: string,
): Promise<string | undefined> {
  if (kind === "text") {
    const binary = head.includes(0) || (await isBinaryFile(head, head.length));
    return binary ? `it is named ${extension} but its content is binary, not text` : undefined;
  }
  const signatures = SIGNATURES[kind] ?? [];
  const matches = signatures.some(({ bytes, offset = 0 }) => bytes.every((b, i) => head[offset + i] === b));
  if (matches) return undefined;
  const detail =
    extension === ".xlsx" || extension === ".docx" || extension === ".pptx"
      ? " (Office files are zip containers)"
      : "";
  return `it is named ${extension} but its content is not ${KIND_NAMES[kind]}${detail}`;
}

export function formatBytes(bytes: number): string {
  const units = ["bytes", "KB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0
    ? `${value} bytes`
    : `${value >= 10 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

function quoteName(name: string): string {
  const shown = name.length > 80 ? `${name.slice(0, 77)}...` : name;
  return `"${shown}"`;
}
