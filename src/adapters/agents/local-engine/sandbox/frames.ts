/**
 * The wire format between the host and the in-sandbox runner: a 4-byte big-endian length, then UTF-8 JSON.
 * Everything decoded here came from code the sandbox runs, so sizes are capped and shapes checked by callers.
 */

/** Raised when the runner sends something that is not a well-formed frame. */
export class FrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FrameError";
  }
}

/** Encodes one frame. `payload` is JSON-serialised unless it is already bytes (the runner's source). */
export function encodeFrame(payload: unknown): Buffer {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(JSON.stringify(payload), "utf8");
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length, 0);
  return Buffer.concat([head, body]);
}

/** Splits a byte stream into decoded frames, refusing any frame above `maxFrameBytes`. */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxFrameBytes: number) {}

  /** Adds bytes and returns every frame completed by them. */
  push(chunk: Buffer): unknown[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: unknown[] = [];
    for (;;) {
      if (this.buffered < 4) return frames;
      const size = this.peekSize();
      if (size > this.maxFrameBytes)
        throw new FrameError(`frame of ${size} bytes exceeds ${this.maxFrameBytes}`);
      if (this.buffered < 4 + size) return frames;
      const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
      const body = all.subarray(4, 4 + size);
      const rest = all.subarray(4 + size);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      try {
        frames.push(JSON.parse(body.toString("utf8")));
      } catch (error) {
        throw new FrameError(`frame is not JSON: ${(error as Error).message}`);
      }
    }
  }

  private peekSize(): number {
    const first = this.chunks[0]!;
    if (first.length >= 4) return first.readUInt32BE(0);
    const head = Buffer.concat(this.chunks, this.buffered).subarray(0, 4);
    return head.readUInt32BE(0);
  }
}
