/**
 * Inline images for Teams: at most 1024×1024 pixels and 1 MB, or Teams shows a broken image. Larger charts are
 * scaled down (aspect kept) and re-encoded; a PNG that is still too heavy becomes a palette PNG, then a JPEG.
 */
import sharp from "sharp";
import { REPLY_LIMITS } from "../../../core/conversation/reply-limits";
import type { ReplyImage } from "../../../core/types";

const MAX_IMAGE_BYTES = 1024 * 1024;
/** sharp refuses to decode anything larger than a reply may carry (the core has checked the header already). */
const SHARP_INPUT = { limitInputPixels: REPLY_LIMITS.maxImagePixels };
const MAX_IMAGE_SIDE = 1024;

export interface InlineImage {
  name: string;
  alt: string;
  contentType: "image/png" | "image/jpeg";
  data: Buffer;
}

/** Returns the image unchanged when it fits, otherwise a smaller rendition that does. */
export async function fitForTeams(image: ReplyImage): Promise<InlineImage> {
  const base = { name: image.name, alt: image.alt };
  // Most charts fit: read the PNG header instead of decoding (no trip through sharp's thread pool).
  const header = pngHeaderSize(image.data);
  const {
    width = 0,
    height = 0,
    format,
  } = header ? { ...header, format: "png" } : await sharp(image.data, SHARP_INPUT).metadata();
  const fits = image.data.length <= MAX_IMAGE_BYTES && width <= MAX_IMAGE_SIDE && height <= MAX_IMAGE_SIDE;
  if (fits && format === "png") return { ...base, contentType: "image/png", data: image.data };

  const resized = () =>
    sharp(image.data, SHARP_INPUT).resize({
      width: MAX_IMAGE_SIDE,
      height: MAX_IMAGE_SIDE,
      fit: "inside",
      withoutEnlargement: true,
    });
  let data = await resized().png({ compressionLevel: 9 }).toBuffer();
  if (data.length <= MAX_IMAGE_BYTES) return { ...base, contentType: "image/png", data };
  // effort 1: quantizing a photo-like chart at the default effort takes seconds for no visible gain.
  data = await resized().png({ palette: true, effort: 1, compressionLevel: 9 }).toBuffer();
  if (data.length <= MAX_IMAGE_BYTES) return { ...base, contentType: "image/png", data };
  for (const quality of [85, 70, 50]) {
    data = await resized().flatten({ background: "#ffffff" }).jpeg({ quality }).toBuffer();
    if (data.length <= MAX_IMAGE_BYTES) break;
  }
  return { ...base, name: image.name.replace(/\.png$/i, ".jpg"), contentType: "image/jpeg", data };
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from a PNG's IHDR chunk, or undefined when the bytes are not a PNG. */
function pngHeaderSize(data: Buffer): { width: number; height: number } | undefined {
  if (
    data.length < 24 ||
    !data.subarray(0, 8).equals(PNG_SIGNATURE) ||
    data.toString("ascii", 12, 16) !== "IHDR"
  ) {
    return undefined;
  }
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}
