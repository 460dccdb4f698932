/** Counting the bytes of a stream as it passes, and refusing one that grows past its cap. */
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { BlobTooLargeError } from "../../../core/ports/blobs";

/** A pass-through that fails with {@link BlobTooLargeError} once more than `maxBytes` went by. */
function sizeCap(maxBytes: number | undefined): Transform & { bytes: number } {
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      counter.bytes += chunk.length;
      if (maxBytes !== undefined && counter.bytes > maxBytes) return done(new BlobTooLargeError(maxBytes));
      done(null, chunk);
    },
  }) as Transform & { bytes: number };
  counter.bytes = 0;
  return counter;
}

/**
 * Starts reading `source` through a size cap at once, before the caller awaits anything: a source that fails
 * early then fails the returned stream instead of going unheard.
 */
export function cappedSource(source: Readable, maxBytes: number | undefined): Transform & { bytes: number } {
  const counter = sizeCap(maxBytes);
  pipeline(source, counter).catch(() => undefined); // an error reaches the reader through `counter`
  return counter;
}
