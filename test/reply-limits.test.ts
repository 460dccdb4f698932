/**
 * One answer carries a readable amount: an analysis that wrote 3,007 files and a pile of charts gets a reply
 * with the first 20 files and 10 charts and says what was left out; a chart whose header claims 15,000×15,000
 * pixels is refused from its header, before anything decodes it.
 */
import { Readable } from "node:stream";
import zlib from "node:zlib";
import { REPLY_LIMITS } from "../src/core/conversation/reply-limits";
import { imageSize } from "../src/core/files/image-size";
import type { ReplyFile } from "../src/core/types";
import { ScriptedBackend } from "./fakes/scripted-backend";
import { createCoreWorld, type CoreWorld } from "./support/core-harness";
import { threadOf, userMessage } from "./support/messages";
import { makePng } from "./support/png";

let world: CoreWorld;
afterEach(async () => world.close());

/** A PNG whose header declares a huge image over a few bytes of data: decoding it would take gigabytes. */
function pngBomb(width: number, height: number): Buffer {
  const png = makePng(8, 8);
  const bomb = Buffer.from(png);
  bomb.writeUInt32BE(width, 16);
  bomb.writeUInt32BE(height, 20);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(bomb.subarray(12, 29)));
  crc.copy(bomb, 29);
  return bomb;
}

function files(count: number): ReplyFile[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `part-${i + 1}.csv`,
    mimeType: "text/csv",
    size: 4,
    open: async () => Readable.from(["a,b\n"]),
  }));
}

test("3,007 files and 14 charts become a reply with 20 files and 10 charts that says what was left out", async () => {
  const backend = new ScriptedBackend({
    script: () => ({
      text: "Split the table by customer.",
      images: [
        ...Array.from({ length: 13 }, (_, i) => ({
          name: `chart-${i + 1}.png`,
          data: makePng(64, 48, i + 1),
          alt: "",
        })),
        { name: "giant.png", data: pngBomb(15_000, 15_000), alt: "a giant chart" },
      ],
      files: files(3007),
      code: [],
      notices: [],
    }),
  });
  world = createCoreWorld({ backend });
  world.service.start();
  await world.service.receive(userMessage(threadOf("split"), "split the table by customer"));
  await world.surface.waitForReplies(1);

  const { reply } = world.surface.replies[0]!;
  expect(reply.files).toHaveLength(REPLY_LIMITS.maxFiles);
  expect(reply.files.map((f) => f.name).slice(0, 2)).toEqual(["part-1.csv", "part-2.csv"]);
  expect(reply.images).toHaveLength(REPLY_LIMITS.maxImages);
  expect(reply.images.some((i) => i.name === "giant.png")).toBe(false);
  const said = reply.notices.map((n) => n.message);
  expect(said).toContain("The analysis made 3007 files; I attached the first 20 (at most 20 per answer).");
  expect(said).toContain("The analysis made 13 charts; I show the first 10 (at most 10 per answer).");
  expect(said).toContain(
    "giant.png (15000×15000) is too large to show (at most 8000 pixels a side), so I left it out.",
  );
  expect(reply.text).toBe("Split the table by customer.");
});

test("outputs a backend did not even fetch are counted in what the reply says was left out", async () => {
  const backend = new ScriptedBackend({
    script: () => ({
      text: "Done.",
      images: Array.from({ length: 10 }, (_, i) => ({
        name: `c${i}.png`,
        data: makePng(32, 24, i + 1),
        alt: "",
      })),
      files: files(20),
      code: [],
      notices: [],
      leftOut: { images: 4, files: 2987 },
    }),
  });
  world = createCoreWorld({ backend });
  world.service.start();
  await world.service.receive(userMessage(threadOf("many"), "split it"));
  await world.surface.waitForReplies(1);
  const said = world.surface.replies[0]!.reply.notices.map((n) => n.message);
  expect(said).toContain("The analysis made 3007 files; I attached the first 20 (at most 20 per answer).");
  expect(said).toContain("The analysis made 14 charts; I show the first 10 (at most 10 per answer).");
});

test("image sizes are read from PNG, JPEG, GIF and WebP headers alone", () => {
  expect(imageSize(makePng(640, 480))).toEqual({ format: "png", width: 640, height: 480 });
  expect(imageSize(pngBomb(15_000, 15_000))).toMatchObject({ width: 15_000, height: 15_000 });
  const gif = Buffer.concat([Buffer.from("GIF89a"), Buffer.from([0x20, 0x03, 0x58, 0x02]), Buffer.alloc(8)]);
  expect(imageSize(gif)).toEqual({ format: "gif", width: 800, height: 600 });
  // A JPEG: SOI, an APP0 segment, then a baseline frame header with 1200×900.
  const jpeg = Buffer.from([
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x03, 0x84, 0x04, 0xb0,
    0x03, 0x01, 0x22, 0x00,
  ]);
  expect(imageSize(jpeg)).toEqual({ format: "jpeg", width: 1200, height: 900 });
  const webp = Buffer.alloc(30);
  webp.write("RIFF", 0, "ascii");
  webp.write("WEBPVP8X", 8, "ascii");
  webp.writeUIntLE(1023, 24, 3);
  webp.writeUIntLE(767, 27, 3);
  expect(imageSize(webp)).toEqual({ format: "webp", width: 1024, height: 768 });
  expect(imageSize(Buffer.from("not an image at all"))).toBeUndefined();
});
