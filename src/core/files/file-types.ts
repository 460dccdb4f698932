/**
 * The file types Code Interpreter accepts (Azure AI Foundry's table of supported extensions and MIME types),
 * with how to recognise each by content.
 */

/** How a file's first bytes must look. */
export type ContentKind =
  | "text" // readable text, no NUL bytes
  | "zip" // an Office document or a zip archive: "PK\x03\x04"
  | "pdf"
  | "png"
  | "jpeg"
  | "gif"
  | "tar";

export interface FileType {
  extension: string;
  /** MIME types Azure lists; the first is used for uploads. */
  mimeTypes: readonly string[];
  content: ContentKind;
  /** Is this tabular data databot can chart directly. */
  tabular?: boolean;
}

const T = (extension: string, mimeTypes: string[], content: ContentKind, tabular = false): FileType => ({
  extension,
  mimeTypes,
  content,
  tabular,
});

/** Every supported extension (27 rows in Azure's table; `.py` is listed twice there with two MIME types). */
export const SUPPORTED_FILE_TYPES: readonly FileType[] = [
  T(".c", ["text/x-c"], "text"),
  T(".cpp", ["text/x-c++"], "text"),
  T(".csv", ["application/csv", "text/csv"], "text", true),
  T(".docx", ["application/vnd.openxmlformats-officedocument.wordprocessingml.document"], "zip"),
  T(".html", ["text/html"], "text"),
  T(".java", ["text/x-java"], "text"),
  T(".json", ["application/json"], "text", true),
  T(".md", ["text/markdown"], "text"),
  T(".pdf", ["application/pdf"], "pdf"),
  T(".php", ["text/x-php"], "text"),
  T(".pptx", ["application/vnd.openxmlformats-officedocument.presentationml.presentation"], "zip"),
  T(".py", ["text/x-python", "text/x-script.python"], "text"),
  T(".rb", ["text/x-ruby"], "text"),
  T(".tex", ["text/x-tex"], "text"),
  T(".txt", ["text/plain"], "text", true),
  T(".css", ["text/css"], "text"),
  T(".jpeg", ["image/jpeg"], "jpeg"),
  T(".jpg", ["image/jpeg"], "jpeg"),
  T(".js", ["text/javascript"], "text"),
  T(".gif", ["image/gif"], "gif"),
  T(".png", ["image/png"], "png"),
  T(".tar", ["application/x-tar"], "tar"),
  T(".ts", ["application/typescript"], "text"),
  T(".xlsx", ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"], "zip", true),
  T(".xml", ["application/xml", "text/xml"], "text"),
  T(".zip", ["application/zip"], "zip"),
];

const BY_EXTENSION = new Map(SUPPORTED_FILE_TYPES.map((t) => [t.extension, t]));

/** The lower-case extension of a file name, with its dot ("" when there is none). */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot <= 0 ? "" : name.slice(dot).toLowerCase();
}

/** The supported type for a file name, if its extension is one of Azure's. */
export function fileTypeFor(name: string): FileType | undefined {
  return BY_EXTENSION.get(extensionOf(name));
}

/** The MIME type to declare for a generated or uploaded file name. */
export function mimeTypeFor(name: string): string {
  return fileTypeFor(name)?.mimeTypes[0] ?? "application/octet-stream";
}

/** A short list of the extensions, for messages. */
export function supportedExtensionsText(): string {
  return SUPPORTED_FILE_TYPES.map((t) => t.extension).join(" ");
}
