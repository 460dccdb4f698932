/**
 * Counts the bytes that pass through a stream without holding them, for the byte counters. The source's error
 * (the file policy's size cap, a failed download) reaches the reader as the very same error object, so whoever
 * reads the counted stream can still tell which failure it was.
 */
import { Transform, type Readable } from "node:stream";

export function countBytes(source: Readable, onBytes: (bytes: number) => void): Readable {
  const counter = new Transform({
    transform(chunk: Buffer | string, _encoding, done) {
      onBytes(typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.length);
      done(null, chunk);
    },
  });
  source.on("error", (error) => counter.destroy(error));
  // The reader gave up (an abort, a refused upload): stop reading the source too.
  counter.on("close", () => {
    if (!source.destroyed && !source.readableEnded) source.destroy();
  });
  return source.pipe(counter);
}
