/**
 * Thread ids are opaque, prefixed strings: `<platform>:<part>:<part>...`. Parts are percent-encoded, so a
 * part may itself hold colons (a Teams conversation id does) and the pair round-trips exactly.
 */
import type { Platform } from "./types";

const PLATFORMS: readonly Platform[] = ["slack", "teams", "web", "cli"];

/** Builds a thread id from a platform and its parts. */
export function encodeThreadId(platform: Platform, parts: readonly string[]): string {
  if (parts.length === 0) throw new Error("A thread id needs at least one part");
  return [platform, ...parts.map(encodePart)].join(":");
}

/** Splits a thread id made by {@link encodeThreadId}; throws on anything else. */
export function decodeThreadId(threadId: string): { platform: Platform; parts: string[] } {
  const [platform, ...encoded] = threadId.split(":");
  if (!PLATFORMS.includes(platform as Platform) || encoded.length === 0) {
    throw new Error(`Not a databot thread id: ${JSON.stringify(threadId.slice(0, 80))}`);
  }
  return { platform: platform as Platform, parts: encoded.map(decodeURIComponent) };
}

/** The platform prefix of a thread id, without decoding the rest. */
export function platformOf(threadId: string): Platform {
  return decodeThreadId(threadId).platform;
}

function encodePart(part: string): string {
  // encodeURIComponent leaves "!'()*~" alone and encodes ":" and "%", which is all a round trip needs.
  return encodeURIComponent(part);
}
