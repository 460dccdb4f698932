/**
 * Real PNG bytes for the fake's charts: a tiny encoder (RGB, no interlace) and a bar chart painter, so tests can
 * check that the bytes databot posts are exactly the bytes the service served.
 */
import zlib from "node:zlib";

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** Encodes RGB pixels (3 bytes per pixel, row by row) as a PNG. */
function encodePng(width: number, height: number, rgb: Uint8Array): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    rows[y * (width * 3 + 1)] = 0; // filter: none
    Buffer.from(rgb.buffer, rgb.byteOffset + y * width * 3, width * 3).copy(rows, y * (width * 3 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", zlib.deflateSync(rows)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A bar chart of the values on a white background, with an axis line. */
export function barChartPng(values: number[], width = 480, height = 300): Buffer {
  const rgb = new Uint8Array(width * height * 3).fill(255);
  const paint = (x0: number, y0: number, x1: number, y1: number, colour: [number, number, number]) => {
    for (let y = Math.max(0, y0); y < Math.min(height, y1); y++) {
      for (let x = Math.max(0, x0); x < Math.min(width, x1); x++) rgb.set(colour, (y * width + x) * 3);
    }
  };
  const shown = values.length > 0 ? values : [1];
  const max = Math.max(...shown.map((v) => Math.abs(v)), 1e-9);
  const margin = 24;
  const slot = (width - 2 * margin) / shown.length;
  shown.forEach((value, i) => {
    const barHeight = Math.round((Math.abs(value) / max) * (height - 2 * margin));
    const x0 = Math.round(margin + i * slot + slot * 0.15);
    const x1 = Math.round(margin + (i + 1) * slot - slot * 0.15);
    paint(x0, height - margin - barHeight, Math.max(x1, x0 + 1), height - margin, [31, 119, 180]);
  });
  paint(margin, height - margin, width - margin, height - margin + 2, [60, 60, 60]);
  return encodePng(width, height, rgb);
}
