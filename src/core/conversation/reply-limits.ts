/**
 * What one reply may carry. An analysis can produce thousands of files or a chart of 15,000×15,000 pixels; a
 * chat thread should get a readable answer instead, and be told what was left out. The core applies these to
 * every backend's output before posting; backends may stop collecting at the same limits.
 */
import type { AgentOutput } from "../ports";
import { imageSize } from "../files/image-size";
import type { Notice, ReplyImage } from "../types";

export interface ReplyLimits {
  maxImages: number;
  maxFiles: number;
  /** Images and (declared) file sizes together. */
  maxTotalBytes: number;
  /** Longest side of a chart, in pixels. */
  maxImageSide: number;
  /** Width × height of a chart. */
  maxImagePixels: number;
}

export const REPLY_LIMITS: ReplyLimits = {
  maxImages: 10,
  maxFiles: 20,
  maxTotalBytes: 200 * 1024 * 1024,
  maxImageSide: 8000,
  maxImagePixels: 40_000_000,
};

/** The output cut to the limits, with one notice per kind of thing left out. */
export function limitOutput(output: AgentOutput, limits: ReplyLimits = REPLY_LIMITS): AgentOutput {
  const notices: Notice[] = [];
  let budget = limits.maxTotalBytes;
  const images: ReplyImage[] = [];
  const unreadable: string[] = [];
  const oversized: string[] = [];
  let overCount = output.leftOut?.images ?? 0;
  let overBudget = 0;
  for (const image of output.images) {
    const size = imageSize(image.data);
    if (!size) {
      unreadable.push(image.name);
    } else if (
      Math.max(size.width, size.height) > limits.maxImageSide ||
      size.width * size.height > limits.maxImagePixels
    ) {
      oversized.push(`${image.name} (${size.width}×${size.height})`);
    } else if (images.length >= limits.maxImages) {
      overCount += 1;
    } else if (image.data.length > budget) {
      overBudget += 1;
    } else {
      budget -= image.data.length;
      images.push(image);
    }
  }
  if (oversized.length > 0) {
    notices.push(
      info(
        `${list(oversized)} ${oversized.length === 1 ? "is" : "are"} too large to show (at most ${limits.maxImageSide} pixels a side), so I left ${oversized.length === 1 ? "it" : "them"} out.`,
      ),
    );
  }
  if (unreadable.length > 0) {
    notices.push(
      info(
        `${list(unreadable)} could not be read as an image, so I left ${unreadable.length === 1 ? "it" : "them"} out.`,
      ),
    );
  }
  if (overCount > 0) {
    notices.push(
      info(
        `The analysis made ${images.length + overCount} charts; I show the first ${images.length} (at most ${limits.maxImages} per answer).`,
      ),
    );
  }

  const files = [];
  let filesOver = output.leftOut?.files ?? 0;
  for (const file of output.files) {
    if (files.length >= limits.maxFiles) {
      filesOver += 1;
    } else if ((file.size ?? 0) > budget) {
      overBudget += 1;
    } else {
      budget -= file.size ?? 0;
      files.push(file);
    }
  }
  if (filesOver > 0) {
    notices.push(
      info(
        `The analysis made ${files.length + filesOver} files; I attached the first ${files.length} (at most ${limits.maxFiles} per answer).`,
      ),
    );
  }
  if (overBudget > 0) {
    notices.push(
      info(
        `${overBudget} more ${overBudget === 1 ? "output was" : "outputs were"} left out: one answer carries at most ${Math.round(limits.maxTotalBytes / 1024 / 1024)} MB.`,
      ),
    );
  }
  const { leftOut: _leftOut, ...rest } = output;
  return { ...rest, images, files, notices: [...output.notices, ...notices] };
}

function info(message: string): Notice {
  return { kind: "info", message };
}

function list(names: string[]): string {
  const shown = names.slice(0, 3).join(", ");
  return names.length > 3 ? `${shown} and ${names.length - 3} more` : shown;
}
