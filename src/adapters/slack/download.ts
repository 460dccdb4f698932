/**
 * Streams a shared file from Slack. The bot token goes only to Slack's own hosts (and the configured Web API
 * origin, for proxies and tests): a link anywhere else is refused before any request is made. Slack answers a
 * token without `files:read` with its HTML sign-in page and status 200, so the content type is checked.
 */
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { WebClient } from "@slack/web-api";
import { DatabotError, ErrorCode } from "../../core/errors";
import type { Logger } from "../../core/logger";
import type { AttachmentMeta } from "../../core/types";
import type { SlackFile } from "./slack-types";
import { slackErrorCode } from "./slack-errors";

const MAX_REDIRECTS = 3;
const HEADERS_TIMEOUT_MS = 30_000;

export interface SlackDownloaderOptions {
  botToken: string;
  /** The configured Web API base URL; its origin is trusted like Slack's own hosts. */
  apiUrl: string;
  /** For `files.info` (Slack Connect files). */
  api: WebClient;
  logger: Logger;
}

/** True for hosts that may receive the bot token: Slack's own (https only) and the configured API origin. */
export function mayReceiveToken(url: URL, apiOrigin: string): boolean {
  if (url.origin === apiOrigin) return true;
  if (url.protocol !== "https:") return false;
  const host = url.hostname.toLowerCase();
  return (
    host === "slack.com" ||
    host.endsWith(".slack.com") ||
    host === "slack-gov.com" ||
    host.endsWith(".slack-gov.com")
  );
}

export class SlackDownloader {
  private readonly apiOrigin: string;

  constructor(private readonly options: SlackDownloaderOptions) {
    this.apiOrigin = new URL(options.apiUrl).origin;
  }

  /** Opens a stream of the file's bytes; throws `attachment_unavailable` with a reason a user can act on. */
  async open(attachment: AttachmentMeta): Promise<Readable> {
    const { ref, name } = attachment;
    if (ref.external === true) {
      throw unavailable(
        `I couldn't read "${name}": it is a link to a file stored outside Slack. Upload the file itself to the thread.`,
      );
    }
    let url = typeof ref.url === "string" ? ref.url : undefined;
    if (!url || ref.access === "check_file_info") url = await this.lookUp(String(ref.id), name);
    return this.download(url, attachment);
  }

  /** Slack Connect files (and files shared without a URL) are described by `files.info`. */
  private async lookUp(fileId: string, name: string): Promise<string> {
    try {
      const info = await this.options.api.files.info({ file: fileId });
      const file = info.file as SlackFile | undefined;
      const url = file?.url_private_download ?? file?.url_private;
      if (!url) throw unavailable(`I couldn't read "${name}": Slack gave no download link for it.`);
      return url;
    } catch (error) {
      if (error instanceof DatabotError) throw error;
      const code = slackErrorCode(error);
      if (code === "missing_scope") throw missingFilesRead(name);
      if (code === "file_not_found" || code === "file_deleted") {
        throw unavailable(`I couldn't read "${name}": it was deleted or is no longer shared with databot.`);
      }
      throw unavailable(
        `I couldn't read "${name}": Slack did not describe the file (${code ?? "no answer"}).`,
        {
          retryable: true,
          cause: error,
        },
      );
    }
  }

  private async download(firstUrl: string, attachment: AttachmentMeta): Promise<Readable> {
    const { name } = attachment;
    let url = parseUrl(firstUrl, name);
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      if (!mayReceiveToken(url, this.apiOrigin)) {
        this.options.logger.warn({ host: url.host, file: name }, "refused a file link outside Slack");
        throw unavailable(`I couldn't read "${name}": its download link does not point to Slack.`);
      }
      const response = await this.request(url, name);
      if (response.status >= 300 && response.status < 400 && response.headers.get("location")) {
        await response.body?.cancel();
        const next = new URL(response.headers.get("location")!, url);
        if (url.protocol === "https:" && next.protocol !== "https:") {
          throw unavailable(
            `I couldn't read "${name}": Slack redirected the download to an insecure address.`,
          );
        }
        url = next;
        continue;
      }
      return this.body(response, attachment);
    }
    throw unavailable(`I couldn't read "${name}": the download was redirected too many times.`);
  }

  private async request(url: URL, name: string): Promise<Response> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), HEADERS_TIMEOUT_MS);
    try {
      return await fetch(url, {
        headers: { Authorization: `Bearer ${this.options.botToken}` },
        redirect: "manual",
        signal: controller.signal,
      });
    } catch (error) {
      throw unavailable(`I couldn't read "${name}": Slack's file server did not answer.`, {
        retryable: true,
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  private async body(response: Response, attachment: AttachmentMeta): Promise<Readable> {
    const { name } = attachment;
    const type = (response.headers.get("content-type") ?? "").toLowerCase();
    const expectsHtml = (attachment.mimeType ?? "").toLowerCase().includes("html");
    if (response.ok && type.startsWith("text/html") && !expectsHtml) {
      await response.body?.cancel();
      throw missingFilesRead(name);
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw missingFilesRead(name);
    }
    if (response.status === 404 || response.status === 410) {
      await response.body?.cancel();
      throw unavailable(`I couldn't read "${name}": it was deleted or is no longer shared with databot.`);
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw unavailable(`I couldn't read "${name}": Slack's file server answered ${response.status}.`, {
        retryable: response.status >= 500 || response.status === 429,
      });
    }
    return Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  }
}

function parseUrl(url: string, name: string): URL {
  try {
    return new URL(url);
  } catch {
    throw unavailable(`I couldn't read "${name}": Slack gave an invalid download link.`);
  }
}

function missingFilesRead(name: string): DatabotError {
  return unavailable(
    `I couldn't read "${name}": databot's Slack app lacks the files:read permission, so Slack sent its ` +
      "sign-in page instead of the file. A workspace admin can add the files:read scope and reinstall the app.",
  );
}

function unavailable(message: string, options: { retryable?: boolean; cause?: unknown } = {}): DatabotError {
  return new DatabotError(ErrorCode.AttachmentUnavailable, message, options);
}
