/**
 * Builds real PNG files in memory (solid colour or a simple bar pattern), for fakes that must return images a
 * chat platform could render and tests that must recognise them byte for byte.
 */
import zlib from "node:zlib";

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** An RGB PNG of the given size: vertical bars of varying height, so it is not trivially compressible to nothing. */
export function makePng(width = 64, height = 48, seed = 1): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      const barHeight = ((Math.floor(x / 8) * 37 + seed * 13) % height) + 1;
      const filled = height - y <= barHeight;
      row[1 + x * 3] = filled ? 40 : 255;
      row[2 + x * 3] = filled ? 90 + ((x * seed) % 100) : 255;
      row[3 + x * 3] = filled ? 200 : 255;
    }
    rows.push(row);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk("IHDR", header),
    chunk("IDAT", zlib.deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** Width and height from a PNG's header. */
export function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
