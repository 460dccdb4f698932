/**
 * A completed run's outputs: the assistant messages' text (with sandbox links replaced by the names of the files
 * attached to the reply), charts from `image_file` content and from run-step image outputs (each once), files from
 * `file_path` annotations (downloaded lazily, as streams), and the code that ran with what it printed.
 */
import { Readable } from "node:stream";
import type { AgentsClient, RunStep, ThreadMessage } from "@azure/ai-agents";
import { mimeTypeFor } from "../../../core/files/file-types";
import type { Logger } from "../../../core/logger";
import type { AgentOutput } from "../../../core/ports/agent-backend";
import type { CodeRun, Notice, ReplyFile, ReplyImage } from "../../../core/types";
import { REPLY_LIMITS } from "../../../core/conversation/reply-limits";
import { DatabotError } from "../../../core/errors";
import { statusOf, toDatabotError } from "./errors";
import { openFileContent, readFileBytes } from "./downloads";
import { listAll } from "./paging";

export interface OutputSettings {
  pageSize: number;
  /** Largest chart read into memory. */
  maxImageBytes: number;
}

const MAX_CODE_OUTPUT_CHARS = 20_000;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A safe, readable file name from a sandbox path such as `sandbox:/mnt/data/monthly%20sales.csv`. */
export function fileNameFromSandboxPath(sandboxPath: string, fallback: string): string {
  let base = sandboxPath.split("/").pop() ?? "";
  try {
    base = decodeURIComponent(base);
  } catch {
    // keep the raw name when it is not valid percent-encoding
  }
  const clean = base
    // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
    .replace(/[\u0000-\u001f\u007f<>:"/\\|?*]/g, "_")
    .trim()
    .slice(0, 120);
  return clean === "" || clean === "." || clean === ".." ? fallback : clean;
}

/**
 * Replaces sandbox links: `[label](sandbox:/mnt/data/x.csv)` becomes the label, followed by the file's name when
 * the label does not already say it; a bare `sandbox:/mnt/data/x.csv` becomes the name.
 */
export function rewriteSandboxLinks(text: string, names: ReadonlyMap<string, string> = new Map()): string {
  const nameOf = (link: string) => names.get(link) ?? fileNameFromSandboxPath(link, "file");
  return text
    .replace(/\[([^\]]*)\]\((sandbox:[^)\s]+)\)/g, (_all, label: string, link: string) => {
      const name = nameOf(link);
      const shown = label.trim();
      if (shown === "") return name;
      return shown.includes(name) ? shown : `${shown} (${name})`;
    })
    .replace(/sandbox:\/mnt\/data\/[^\s)\]]+/g, (link) => nameOf(link));
}

/** Makes `name` unique among `taken` by adding " (2)", " (3)"... before the extension. */
export function uniqueName(name: string, taken: Set<string>): string {
  let candidate = name;
  const dot = name.lastIndexOf(".");
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${stem} (${n})${ext}`;
  taken.add(candidate.toLowerCase());
  return candidate;
}

/** A "Show code" entry: the code and what it printed, capped for the chat. */
export function codeRun(code: string, printed: string): CodeRun {
  if (!printed) return { language: "python", code };
  const output =
    printed.length > MAX_CODE_OUTPUT_CHARS ? `${printed.slice(0, MAX_CODE_OUTPUT_CHARS)}\n…` : printed;
  return { language: "python", code, output };
}

/** The code each code-interpreter call ran, with its printed output, and the images it displayed. */
function codeFromSteps(steps: RunStep[]): { code: CodeRun[]; imageFileIds: string[] } {
  const code: CodeRun[] = [];
  const imageFileIds: string[] = [];
  for (const step of steps) {
    if (step.stepDetails.type !== "tool_calls") continue;
    const calls = (step.stepDetails as { toolCalls?: Array<{ type: string; codeInterpreter?: unknown }> })
      .toolCalls;
    for (const call of calls ?? []) {
      if (call.type !== "code_interpreter") continue;
      const details = call.codeInterpreter as {
        input?: string;
        outputs?: Array<{ type: string; logs?: string; image?: { fileId?: string } }>;
      };
      const logs = (details.outputs ?? []).filter((o) => o.type === "logs").map((o) => o.logs ?? "");
      for (const o of details.outputs ?? [])
        if (o.type === "image" && o.image?.fileId) imageFileIds.push(o.image.fileId);
      code.push(codeRun(details.input ?? "", logs.join("\n")));
    }
  }
  return { code, imageFileIds };
}

interface FileLink {
  fileId: string;
  link: string;
  name: string;
}

/** Reads the answer's parts out of the run's assistant messages. */
function readMessages(messages: ThreadMessage[]) {
  const texts: { value: string; links: { link: string; fileId: string }[] }[] = [];
  const imageFileIds: string[] = [];
  for (const message of messages) {
    if (message.role !== "assistant") continue;
    for (const content of message.content) {
      if (content.type === "image_file") {
        const fileId = (content as { imageFile?: { fileId?: string } }).imageFile?.fileId;
        if (fileId) imageFileIds.push(fileId);
      } else if (content.type === "text") {
        const text = (
          content as unknown as { text: { value: string; annotations?: Array<Record<string, unknown>> } }
        ).text;
        const links = (text.annotations ?? [])
          .filter((a) => a.type === "file_path")
          .map((a) => ({
            link: String(a.text ?? ""),
            fileId: String((a.filePath as { fileId?: string })?.fileId ?? ""),
          }))
          .filter((a) => a.link !== "" && a.fileId !== "");
        texts.push({ value: text.value, links });
      }
    }
  }
  return { texts, imageFileIds };
}

/** Collects everything a completed run produced. */
export async function collectOutputs(
  client: AgentsClient,
  threadId: string,
  runId: string,
  settings: OutputSettings,
  logger: Logger,
): Promise<AgentOutput> {
  let messages: ThreadMessage[];
  let steps: RunStep[];
  try {
    [messages, steps] = await Promise.all([
      listAll((page) => client.messages.list(threadId, { ...page, runId }), "asc", settings.pageSize),
      listAll((page) => client.runSteps.list(threadId, runId, page), "asc", settings.pageSize),
    ]);
  } catch (error) {
    throw toDatabotError(error, "reading the answer");
  }
  const notices: Notice[] = [];
  const { texts, imageFileIds } = readMessages(messages);
  const fromSteps = codeFromSteps(steps);

  // Files linked from the text, once per file id, with unique names.
  const taken = new Set<string>();
  const byFileId = new Map<string, FileLink>();
  const names = new Map<string, string>();
  for (const { link, fileId } of texts.flatMap((t) => t.links)) {
    let entry = byFileId.get(fileId);
    if (!entry) {
      entry = {
        fileId,
        link,
        name: uniqueName(fileNameFromSandboxPath(link, `output-${byFileId.size + 1}`), taken),
      };
      byFileId.set(fileId, entry);
    }
    names.set(link, entry.name);
  }
  const text = texts
    .map((t) => rewriteSandboxLinks(t.value, names).trim())
    .filter((t) => t !== "")
    .join("\n\n");

  const files: ReplyFile[] = [];
  // Beyond what one reply carries, nothing is looked up or downloaded; the reply says how many were left out.
  const linked = [...byFileId.values()];
  for (const entry of linked.slice(0, REPLY_LIMITS.maxFiles)) {
    try {
      const info = await client.files.get(entry.fileId);
      files.push({
        name: entry.name,
        mimeType: mimeTypeFor(entry.name),
        size: info.bytes,
        open: () => openFileContent(client, entry.fileId, entry.name),
      });
    } catch (error) {
      if (statusOf(error) !== 404) throw toDatabotError(error, `looking up ${entry.name}`);
      logger.warn({ fileId: entry.fileId }, "a file linked in the answer is gone");
      notices.push({
        kind: "info",
        file: entry.name,
        message: `The file ${entry.name} could not be fetched from Azure AI Foundry.`,
      });
    }
  }

  // Charts: those in the answer, then those the code displayed that the answer did not repeat.
  const images: ReplyImage[] = [];
  const chartIds = [...new Set([...imageFileIds, ...fromSteps.imageFileIds])];
  for (const [index, fileId] of chartIds.slice(0, REPLY_LIMITS.maxImages).entries()) {
    const n = index + 1;
    try {
      const data = await readFileBytes(client, fileId, `chart-${n}.png`, settings.maxImageBytes);
      if (data.subarray(0, 8).equals(PNG_SIGNATURE)) {
        images.push({ name: uniqueName(`chart-${n}.png`, taken), data, alt: `Chart ${n} from the analysis` });
      } else {
        const name = uniqueName(`image-${n}${imageExtension(data)}`, taken);
        files.push({
          name,
          mimeType: mimeTypeFor(name),
          size: data.length,
          open: async () => bufferStream(data),
        });
      }
    } catch (error) {
      if (!(error instanceof DatabotError) || error.code !== "attachment_unavailable") throw error;
      logger.warn({ fileId }, "a chart in the answer is gone");
      notices.push({ kind: "info", message: `Chart ${n} could not be fetched from Azure AI Foundry.` });
    }
  }
  const leftOut = {
    images: Math.max(0, chartIds.length - REPLY_LIMITS.maxImages),
    files: Math.max(0, linked.length - REPLY_LIMITS.maxFiles),
  };
  return { text, images, files, code: fromSteps.code, notices, leftOut };
}

function imageExtension(data: Buffer): string {
  if (data[0] === 0xff && data[1] === 0xd8) return ".jpg";
  if (data.subarray(0, 3).toString("ascii") === "GIF") return ".gif";
  return ".bin";
}

function bufferStream(data: Buffer): Readable {
  return Readable.from([data]);
}
