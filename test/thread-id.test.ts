/** Thread ids are opaque strings that carry their platform and round-trip exactly. */
import { decodeThreadId, encodeThreadId, platformOf } from "../src/core/thread-id";

test.each([
  ["slack", ["T024BE7LD", "C0123", "1712345678.000100"]],
  ["teams", ["https://smba.trafficmanager.net/emea/", "19:abc@thread.tacv2;messageid=1712345678901"]],
  ["web", ["3f2a%weird:id"]],
  ["cli", ["quarterly review"]],
] as const)(
  "a %s thread id round-trips, even with colons and percent signs in its parts",
  (platform, parts) => {
    const id = encodeThreadId(platform, parts);
    expect(id.startsWith(`${platform}:`)).toBe(true);
    expect(decodeThreadId(id)).toEqual({ platform, parts: [...parts] });
    expect(platformOf(id)).toBe(platform);
  },
);

test("a new surface's own prefix round-trips too: the core keeps no list of platforms", () => {
  const id = encodeThreadId("mastodon", ["@team@social.example", "109876543210"]);
  expect(decodeThreadId(id)).toEqual({
    platform: "mastodon",
    parts: ["@team@social.example", "109876543210"],
  });
});

test("something that is not a thread id is rejected", () => {
  expect(() => decodeThreadId("slack")).toThrow(/Not a databot thread id/);
  expect(() => decodeThreadId("Slack:T1:C1")).toThrow(/Not a databot thread id/);
  expect(() => decodeThreadId("web:%E0%A4%A")).toThrow(/Not a databot thread id/);
  expect(() => decodeThreadId(":1")).toThrow(/Not a databot thread id/);
  expect(() => encodeThreadId("no spaces", ["1"])).toThrow(/Not a thread-id prefix/);
});
