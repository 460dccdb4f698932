/**
 * Turns what the analyst did into the backend's answer: the text, every chart the cells drew, the files they
 * wrote (streamed from the session when the chat posts them), and the code with its output for "Show code".
 */
import type { AgentOutput } from "../../../core/ports";
import { mimeTypeFor } from "../../../core/files/file-types";
import type { CodeRun, ReplyFile, ReplyImage } from "../../../core/types";
import type { AnalystOutput, CellFile, CellResult, SandboxSession } from "./types";

/** "Show code" output per cell; the chat has little room. */
const CODE_OUTPUT_CHARS = 4000;

export function buildOutput(answer: AnalystOutput, session: SandboxSession, question: string): AgentOutput {
  const images: ReplyImage[] = [];
  const generated = new Map<string, CellFile>();
  const titles: (string | undefined)[] = [];
  for (const { result } of answer.cells) {
    for (const image of result.images) {
      images.push({ name: image.name, data: image.data, alt: "" });
      titles.push(image.title);
    }
    for (const file of result.files) generated.set(file.name, file);
  }
  const usedNames = new Set<string>();
  images.forEach((image, i) => {
    const title = titles[i];
    // A chart is named and described by its title when it has one, so a download says what it shows.
    image.alt = title ? `Chart: ${title}` : `Chart ${i + 1} of ${images.length} for: ${clip(question, 100)}`;
    if (title) image.name = uniqueName(`${slug(title)}.png`, usedNames);
    usedNames.add(image.name);
  });
  const files: ReplyFile[] = [...generated.values()].map((file) => ({
    name: file.name,
    mimeType: mimeTypeFor(file.name),
    size: file.size,
    open: () => session.openFile(file.name),
  }));
  const code: CodeRun[] = answer.cells.map(({ code, result }) => ({
    language: "python",
    code,
    output: cellOutput(result),
  }));
  return {
    text: replaceSandboxLinks(answer.text),
    images,
    files,
    code,
    notices: [],
    ...(answer.usage ? { usage: answer.usage } : {}),
  };
}

/** `sandbox:/mnt/data/out.csv` (as Code Interpreter writes links) becomes the file's name. */
function replaceSandboxLinks(text: string): string {
  return text.replace(/sandbox:\/mnt\/data\/([^\s)\]]+)/g, "$1");
}

function cellOutput(result: CellResult): string {
  const parts = [result.stdout, result.stderr];
  if (result.error) parts.push(result.error.traceback || `${result.error.name}: ${result.error.message}`);
  if (result.limit) parts.push(`[stopped by the ${result.limit.replace("_", "-")} limit]`);
  return clip(
    parts
      .filter((p) => p.trim() !== "")
      .join("\n")
      .trimEnd(),
    CODE_OUTPUT_CHARS,
  );
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A file-name-safe form of a title: "Sum of sales by region" → "sum-of-sales-by-region". */
function slug(title: string): string {
  const slugged = title
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^\w\s-]/g, "")
    .trim()
    .replace(/[\s_-]+/g, "-")
    .slice(0, 60)
    .replace(/-+$/, "");
  return slugged || "chart";
}

function uniqueName(name: string, used: Set<string>): string {
  if (!used.has(name)) return name;
  const stem = name.replace(/\.png$/, "");
  for (let i = 2; ; i++) if (!used.has(`${stem}-${i}.png`)) return `${stem}-${i}.png`;
}
