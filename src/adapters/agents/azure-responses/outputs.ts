/**
 * A completed response's outputs: the assistant messages' text (with `sandbox:/mnt/data/…` links replaced by the
 * names of the files attached to the reply), every file a `container_file_citation` names (downloaded at once,
 * since it disappears with the container), charts (PNG, JPEG or GIF files, and images the code displayed — each
 * once), and the Python that ran with what it printed.
 */
import { createHash } from "node:crypto";
import sharp from "sharp";
import type OpenAI from "openai";
import type {
  ResponseCodeInterpreterToolCall,
  ResponseOutputText,
} from "openai/resources/responses/responses";
import { REPLY_LIMITS } from "../../../core/conversation/reply-limits";
import { mimeTypeFor } from "../../../core/files/file-types";
import { imageSize } from "../../../core/files/image-size";
import type { Logger } from "../../../core/logger";
import type { AgentOutput } from "../../../core/ports/agent-backend";
import type { CodeRun, Notice, ReplyFile, ReplyImage } from "../../../core/types";
import { codeRun, fileNameFromSandboxPath, rewriteSandboxLinks, uniqueName } from "../azure-classic/outputs";
import { isContainerExpired, statusOf, toDatabotError } from "./errors";
import type { OutputSpool } from "./spool";

export interface OutputSettings {
  /** Largest chart read into memory; a bigger image is attached as a file. */
  maxImageBytes: number;
}

export interface OutputContext extends OutputSettings {
  openai: OpenAI;
  spool: OutputSpool;
  logger: Logger;
}

/** The parts of a response's (or a conversation's) output items that make the answer. */
export type OutputItem =
  | { type: "message"; role: string; content: ReadonlyArray<{ type: string }> }
  | (Pick<ResponseCodeInterpreterToolCall, "type" | "code" | "outputs"> & { type: "code_interpreter_call" })
  | { type: string };

type ImageKind = "png" | "jpeg" | "gif";

function imageKind(head: Buffer): ImageKind | undefined {
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return "png";
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return "jpeg";
  if (head.subarray(0, 4).toString("latin1") === "GIF8") return "gif";
  return undefined;
}

/** True when the header's size is within what a reply shows: nothing larger is ever decoded. */
function showable(data: Buffer): boolean {
  const size = imageSize(data);
  return (
    size !== undefined &&
    Math.max(size.width, size.height) <= REPLY_LIMITS.maxImageSide &&
    size.width * size.height <= REPLY_LIMITS.maxImagePixels
  );
}

/** Replies carry PNG charts; JPEG and GIF (its first frame) are converted. */
async function asPng(data: Buffer, kind: ImageKind): Promise<Buffer> {
  if (kind === "png") return data;
  return sharp(data, { animated: false, limitInputPixels: REPLY_LIMITS.maxImagePixels }).png().toBuffer();
}

function withExtension(name: string, ext: string): string {
  return name.replace(/\.[A-Za-z0-9]{1,5}$/, "") + ext;
}

/** `data:image/png;base64,...` → bytes (images the code displayed arrive so with the outputs include). */
function decodeDataUrl(url: string): Buffer | undefined {
  const match = /^data:image\/[a-z0-9.+-]+;base64,(.*)$/is.exec(url);
  return match ? Buffer.from(match[1]!, "base64") : undefined;
}

/**
 * Removes image embeds of charts that are attached (`![alt](sandbox:/mnt/data/chart.png)`), then replaces the
 * remaining sandbox links with the names of the attached files.
 */
export function rewriteAnswerLinks(
  text: string,
  names: ReadonlyMap<string, string> = new Map(),
  attachedImages: ReadonlySet<string> = new Set(),
): string {
  const withoutEmbeds = text.replace(
    /( ?)!\[([^\]]*)\]\((sandbox:[^)\s]+)\)/g,
    (_all, space: string, alt: string, link: string) =>
      attachedImages.has(link) ? "" : `${space}[${alt}](${link})`,
  );
  return rewriteSandboxLinks(withoutEmbeds, names)
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

interface Citation {
  containerId: string;
  fileId: string;
  filename: string;
  links: Set<string>;
}

/** The container files the answer cites, once each, with the link texts that point at them. */
function citationsOf(parts: ResponseOutputText[]): Citation[] {
  const byFile = new Map<string, Citation>();
  for (const part of parts) {
    for (const annotation of part.annotations ?? []) {
      if (annotation.type !== "container_file_citation") continue;
      const key = `${annotation.container_id}/${annotation.file_id}`;
      const citation = byFile.get(key) ?? {
        containerId: annotation.container_id,
        fileId: annotation.file_id,
        filename: annotation.filename,
        links: new Set<string>(),
      };
      byFile.set(key, citation);
      const span = part.text.slice(annotation.start_index, annotation.end_index);
      citation.links.add(span.startsWith("sandbox:") ? span : `sandbox:/mnt/data/${annotation.filename}`);
    }
  }
  return [...byFile.values()];
}

function codeRuns(items: readonly OutputItem[]): { code: CodeRun[]; displayed: Buffer[] } {
  const code: CodeRun[] = [];
  const displayed: Buffer[] = [];
  for (const item of items) {
    if (item.type !== "code_interpreter_call") continue;
    const call = item as Pick<ResponseCodeInterpreterToolCall, "code" | "outputs">;
    const logs: string[] = [];
    for (const output of call.outputs ?? []) {
      if (output.type === "logs") logs.push(output.logs);
      else if (output.type === "image") {
        const data = decodeDataUrl(output.url);
        if (data) displayed.push(data);
      }
    }
    code.push(codeRun(call.code ?? "", logs.join("\n")));
  }
  return { code, displayed };
}

function textParts(items: readonly OutputItem[]): ResponseOutputText[] {
  const parts: ResponseOutputText[] = [];
  for (const item of items) {
    if (item.type !== "message" || (item as { role?: string }).role !== "assistant") continue;
    for (const part of (item as { content: ReadonlyArray<{ type: string }> }).content) {
      if (part.type === "output_text") parts.push(part as ResponseOutputText);
    }
  }
  return parts;
}

/** Collects everything a completed response produced. */
export async function collectOutputs(items: readonly OutputItem[], ctx: OutputContext): Promise<AgentOutput> {
  const parts = textParts(items);
  const { code, displayed } = codeRuns(items);
  const notices: Notice[] = [];
  const images: ReplyImage[] = [];
  const files: ReplyFile[] = [];
  const taken = new Set<string>();
  const names = new Map<string, string>();
  const attachedImages = new Set<string>();
  const imageNames = new Map<string, string>();
  /** Adds a chart once; returns the name it has in the reply (the earlier one for the same bytes). */
  const addImage = (data: Buffer, name: string, alt: string): string => {
    const hash = createHash("sha256").update(data).digest("hex");
    const known = imageNames.get(hash);
    if (known) return known;
    const unique = uniqueName(name, taken);
    imageNames.set(hash, unique);
    images.push({ name: unique, data, alt });
    return unique;
  };

  // Nothing beyond what one reply carries is downloaded; the reply says how many were left out.
  const citations = citationsOf(parts);
  const fetchable = REPLY_LIMITS.maxImages + REPLY_LIMITS.maxFiles;
  for (const citation of citations.slice(0, fetchable)) {
    const fallback = fileNameFromSandboxPath(citation.filename, `output-${files.length + images.length + 1}`);
    const spooled = await download(citation, fallback, ctx, notices);
    if (!spooled) continue;
    const kind = imageKind(spooled.head);
    let name: string;
    if (kind && spooled.size <= ctx.maxImageBytes && showable(spooled.head)) {
      const data = await asPng(await ctx.spool.read(spooled.path), kind);
      await ctx.spool.remove(spooled.path);
      const stem = fallback
        .replace(/\.[A-Za-z0-9]{1,5}$/, "")
        .replace(/[_-]+/g, " ")
        .trim();
      // A name that says what the chart shows describes it; "chart-2" does not.
      const alt = /^(chart|figure|image|plot|fig)?[\s\d]*$/i.test(stem)
        ? `Chart ${images.length + 1} from the analysis`
        : `Chart: ${stem}`;
      name = addImage(data, withExtension(fallback, ".png"), alt);
      for (const link of citation.links) attachedImages.add(link);
    } else {
      name = uniqueName(fallback, taken);
      files.push({
        name,
        mimeType: mimeTypeFor(name),
        size: spooled.size,
        open: async () => ctx.spool.open(spooled.path),
      });
    }
    for (const link of citation.links) names.set(link, name);
  }

  // Charts the code displayed that no cited file already showed.
  for (const data of displayed) {
    if (images.length >= REPLY_LIMITS.maxImages) break;
    const kind = imageKind(data.subarray(0, 16));
    if (!kind || data.length > ctx.maxImageBytes || !showable(data)) continue;
    const n = images.length + 1;
    addImage(await asPng(data, kind), `chart-${n}.png`, `Chart ${n} from the analysis`);
  }

  const text = parts
    .map((part) => rewriteAnswerLinks(part.text, names, attachedImages))
    .filter((t) => t !== "")
    .join("\n\n");
  const leftOut = { images: 0, files: Math.max(0, citations.length - fetchable) };
  return { text, images, files, code, notices, leftOut };
}

/** Downloads one cited file into the spool; a file that is gone becomes a notice. */
async function download(
  citation: Citation,
  name: string,
  ctx: OutputContext,
  notices: Notice[],
): Promise<{ path: string; size: number; head: Buffer } | undefined> {
  try {
    const response = await ctx.openai.containers.files.content.retrieve(citation.fileId, {
      container_id: citation.containerId,
    });
    if (!response.body) throw new Error(`no body for ${citation.fileId}`);
    return await ctx.spool.save(response.body);
  } catch (error) {
    if (statusOf(error) !== 404 && !isContainerExpired(error))
      throw toDatabotError(error, `downloading ${name}`);
    ctx.logger.warn({ fileId: citation.fileId, containerId: citation.containerId }, "a cited file is gone");
    notices.push({
      kind: "info",
      file: name,
      message: `The file ${name} could not be fetched from Azure AI Foundry.`,
    });
    return undefined;
  }
}
