/**
 * Slack's wire format in the fake: how files are described, how message content is read from a request and
 * checked against Slack's limits, and how form fields (strings, nested values JSON-encoded) are decoded.
 */
import { TEAM, type Block, type FakeFile, type FakeMessage } from "./state";

export type Params = Record<string, unknown>;

export const MARKDOWN_LIMIT = 12_000;

/** A file as `files.info` and message events describe it. */
export function describeFile(file: FakeFile, origin: string): Record<string, unknown> {
  const base = `${origin}/files-pri/${TEAM.id}-${file.id}`;
  return {
    id: file.id,
    created: file.created,
    timestamp: file.created,
    name: file.name,
    title: file.title,
    mimetype: file.mimetype,
    filetype: file.filetype,
    pretty_type: file.filetype.toUpperCase(),
    user: file.user,
    user_team: TEAM.id,
    editable: false,
    size: file.bytes.length,
    mode: "hosted",
    is_external: false,
    external_type: "",
    is_public: false,
    public_url_shared: false,
    display_as_bot: false,
    username: "",
    url_private: file.downloadUrl ?? `${base}/${encodeURIComponent(file.name)}`,
    url_private_download: file.downloadUrl ?? `${base}/download/${encodeURIComponent(file.name)}`,
    permalink: `https://${TEAM.domain}.slack.com/files/${file.user}/${file.id}/${encodeURIComponent(file.name)}`,
  };
}

export function streamText(p: Params): string {
  const chunks = json<{ type: string; text?: string }[]>(p.chunks) ?? [];
  return (
    (opt(p.markdown_text) ?? "") +
    chunks
      .filter((c) => c.type === "markdown_text")
      .map((c) => c.text ?? "")
      .join("")
  );
}

/** The text, Markdown or blocks of chat.postMessage / chat.update. */
export function content(p: Params): Pick<FakeMessage, "text" | "markdownText" | "blocks" | "files"> {
  const blocks = json<Block[]>(p.blocks);
  return {
    text: opt(p.text) ?? "",
    ...(opt(p.markdown_text) !== undefined ? { markdownText: opt(p.markdown_text) } : {}),
    ...(blocks ? { blocks } : {}),
    files: [],
  };
}

export function checkContent(p: Params): string | undefined {
  const markdown = opt(p.markdown_text);
  const blocks = json<Block[]>(p.blocks);
  if (markdown !== undefined && (blocks || opt(p.text))) return "markdown_text_conflict";
  if (markdown === undefined && !blocks?.length && !opt(p.text)) return "no_text";
  if (markdown !== undefined && markdown.length > MARKDOWN_LIMIT) return "msg_too_long";
  const markdownInBlocks = (blocks ?? [])
    .filter((b) => b.type === "markdown")
    .reduce((n, b) => n + String(b.text ?? "").length, 0);
  if (markdownInBlocks > MARKDOWN_LIMIT) return "invalid_blocks";
  if ((blocks ?? []).length > 50) return "invalid_blocks";
  if (
    (blocks ?? []).some(
      (b) => b.type === "section" && String((b.text as { text?: string })?.text ?? "").length > 3000,
    )
  )
    return "invalid_blocks";
  return undefined;
}

export function fail(error: string): { ok: false; error: string } {
  return { ok: false, error };
}

export function str(value: unknown): string {
  return typeof value === "string" ? value : value === undefined || value === null ? "" : String(value);
}

export function opt(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : str(value);
}

/** Form fields carry arrays and objects JSON-encoded; JSON bodies carry them as they are. */
export function json<T>(value: unknown): T | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") return value as T;
  try {
    return JSON.parse(value) as T;
  } catch {
    return undefined;
  }
}

export function extension(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot >= 0 ? name.slice(dot + 1).toLowerCase() : "binary";
}

export function mimeFor(name: string): string {
  const types: Record<string, string> = {
    png: "image/png",
    csv: "text/csv",
    xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    py: "text/x-python",
    txt: "text/plain",
    json: "application/json",
    exe: "application/x-msdownload",
    html: "text/html",
  };
  return types[extension(name)] ?? "application/octet-stream";
}
