/**
 * Reads a `text/event-stream` body (the HTML Server-Sent Events format) into events, without buffering more
 * than one event at a time: how tests read what databot's live endpoints stream.
 */

export interface SseEvent {
  event: string;
  data: string;
}

/** Yields each complete event of the stream; comments and `id`/`retry` fields are skipped. */
export async function* readSse(
  body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = "";
  let event = "";
  let data: string[] = [];
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = nextLineEnd(buffer)) !== -1) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(
        buffer[newline] === "\r" && buffer[newline + 1] === "\n" ? newline + 2 : newline + 1,
      );
      if (line === "") {
        if (data.length > 0) yield { event: event || "message", data: data.join("\n") };
        event = "";
        data = [];
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "data") data.push(value);
      else if (field === "event") event = value;
    }
  }
  buffer += decoder.decode();
  if (buffer.startsWith("data:")) data.push(buffer.slice(5).replace(/^ /, ""));
  if (data.length > 0) yield { event: event || "message", data: data.join("\n") };
}

/** Index of the first line terminator (CRLF, LF or CR), or -1. A lone CR at the end may be half a CRLF. */
function nextLineEnd(buffer: string): number {
  for (let i = 0; i < buffer.length; i++) {
    const c = buffer[i];
    if (c === "\n") return i;
    if (c === "\r") return i + 1 < buffer.length ? i : -1;
  }
  return -1;
}
