/**
 * Streams a shared file from Slack. The bot token goes only to Slack's own hosts (and the configured Web API
 * origin, for proxies and tests): a link anywhere else is refused before any request is made. Slack answers a
 * token without `files:read` with its HTML sign-in page and status 200, so the content type is checked.
 */
import type { Readable } from "node:stream";
import type { WebClient } from "@slack/web-api";
import { DatabotError, ErrorCode } from "../../../core/errors";
import type { Logger } from "../../../core/logger";
import type { AttachmentMeta } from "../../../core/types";
import { OutboundError, type OutboundGuard, type OutboundResponse } from "../../outbound/guard";
import type { SlackFile } from "./slack-types";
import { slackErrorCode } from "./slack-errors";

const MAX_REDIRECTS = 3;
/** Long enough for the largest accepted file on a slow link; a stalled download fails sooner (no bytes for 60 s). */
const DOWNLOAD_TIMEOUT_MS = 30 * 60_000;
/** Where Slack serves files (and the sign-in page a token without files:read gets). */
const SLACK_FILE_HOSTS = ["slack.com", ".slack.com", "slack-gov.com", ".slack-gov.com"];

export interface SlackDownloaderOptions {
  botToken: string;
  /** The configured Web API base URL; its origin is trusted like Slack's own hosts. */
  apiUrl: string;
  /** For `files.info` (Slack Connect files). */
  api: WebClient;
  outbound: OutboundGuard;
  /** Largest file accepted (the file policy's limit). */
  maxBytes: number;
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

  private async download(url: string, attachment: AttachmentMeta): Promise<Readable> {
    const { name } = attachment;
    let response: OutboundResponse;
    try {
      response = await this.options.outbound.request(url, {
        hosts: SLACK_FILE_HOSTS,
        trustedOrigins: [this.apiOrigin],
        // Every hop is one of Slack's hosts (or the configured API origin), so the token may go with each.
        headers: (hop) =>
          mayReceiveToken(hop, this.apiOrigin) ? { authorization: `Bearer ${this.options.botToken}` } : {},
        maxBytes: this.options.maxBytes,
        timeoutMs: DOWNLOAD_TIMEOUT_MS,
        maxRedirects: MAX_REDIRECTS,
      });
    } catch (error) {
      if (error instanceof OutboundError) {
        this.options.logger.warn({ reason: error.reason, file: name }, "refused a Slack file link");
        if (error.reason === "host") {
          throw unavailable(`I couldn't read "${name}": its download link does not point to Slack.`);
        }
        if (error.reason === "unreachable" || error.reason === "timeout") {
          throw unavailable(`I couldn't read "${name}": Slack's file server did not answer.`, {
            retryable: true,
            cause: error,
          });
        }
        throw unavailable(`I couldn't read "${name}": ${error.userMessage}.`, { cause: error });
      }
      throw error;
    }
    return this.body(response, attachment);
  }

  private async body(response: OutboundResponse, attachment: AttachmentMeta): Promise<Readable> {
    const { name } = attachment;
    const status = response.status;
    const ok = status >= 200 && status < 300;
    const type = (response.header("content-type") ?? "").toLowerCase();
    const expectsHtml = (attachment.mimeType ?? "").toLowerCase().includes("html");
    const refuse = (error: DatabotError): never => {
      response.body.destroy();
      throw error;
    };
    if (ok && type.startsWith("text/html") && !expectsHtml) refuse(missingFilesRead(name));
    if (status === 401 || status === 403) refuse(missingFilesRead(name));
    if (status === 404 || status === 410) {
      refuse(unavailable(`I couldn't read "${name}": it was deleted or is no longer shared with databot.`));
    }
    if (!ok) {
      refuse(
        unavailable(`I couldn't read "${name}": Slack's file server answered ${status}.`, {
          retryable: status >= 500 || status === 429,
        }),
      );
    }
    return response.body;
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
