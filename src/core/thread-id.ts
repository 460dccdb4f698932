/**
 * Thread ids are opaque, prefixed strings: `<platform>:<part>:<part>...`. The prefix is the surface's own
 * (`slack`, `teams`, …; the core keeps no list). Parts are percent-encoded, so a part may itself hold colons (a
 * Teams conversation id does) and the pair round-trips exactly.
 */
import type { Platform } from "./types";

/** What a surface's prefix may look like. */
const PREFIX = /^[a-z][a-z0-9-]{0,31}$/;

/** True when `platform` can prefix thread ids. */
export function isPlatformPrefix(platform: string): boolean {
  return PREFIX.test(platform);
}

/** Builds a thread id from a platform and its parts. */
export function encodeThreadId(platform: Platform, parts: readonly string[]): string {
  if (!isPlatformPrefix(platform)) throw new Error(`Not a thread-id prefix: ${JSON.stringify(platform)}`);
  if (parts.length === 0) throw new Error("A thread id needs at least one part");
  return [platform, ...parts.map(encodePart)].join(":");
}

/** Splits a thread id made by {@link encodeThreadId}; throws on anything else. */
export function decodeThreadId(threadId: string): { platform: Platform; parts: string[] } {
  const [platform = "", ...encoded] = threadId.split(":");
  const parts = isPlatformPrefix(platform) && encoded.length > 0 ? decodeParts(encoded) : undefined;
  if (!parts) throw new Error(`Not a databot thread id: ${JSON.stringify(threadId.slice(0, 80))}`);
  return { platform, parts };
}

/** The platform prefix of a thread id, without decoding the rest. */
export function platformOf(threadId: string): Platform {
  return decodeThreadId(threadId).platform;
}

function encodePart(part: string): string {
  // encodeURIComponent leaves "!'()*~" alone and encodes ":" and "%", which is all a round trip needs.
  return encodeURIComponent(part);
}

function decodeParts(encoded: string[]): string[] | undefined {
  try {
    return encoded.map(decodeURIComponent);
  } catch {
    return undefined; // a malformed percent-escape
  }
}
