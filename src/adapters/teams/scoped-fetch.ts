/**
 * Downloads as streams, with a credential that never leaves the host it belongs to: redirects are followed by
 * hand, the token goes only to `tokenHost`, and a redirect from https down to http is refused.
 */
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { DatabotError, ErrorCode } from "../../core/errors";

export interface ScopedFetchOptions {
  /** Bearer token, sent only to `tokenHost`. */
  token?: string;
  /** The one host (`hostname:port`) allowed to see the token. */
  tokenHost?: string;
  /** Plain http allowed (local mode, loopback fakes). */
  allowHttp: boolean;
  /** The file's name, for the user-facing error. */
  fileName: string;
  signal?: AbortSignal;
}

const MAX_REDIRECTS = 5;
const CONNECT_TIMEOUT_MS = 30_000;

/** GETs `url` and returns the body as a Node stream; throws `attachment_unavailable` with a reason a user reads. */
export async function fetchStream(url: string, options: ScopedFetchOptions): Promise<Readable> {
  let current = parseUrl(url, options);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const headers: Record<string, string> = {};
    if (options.token && options.tokenHost && current.host === options.tokenHost) {
      headers.authorization = `Bearer ${options.token}`;
    }
    const timeout = AbortSignal.timeout(CONNECT_TIMEOUT_MS);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await fetch(current, { headers, redirect: "manual", signal });
    } catch (error) {
      throw unavailable(
        options.fileName,
        "the download did not start (the file's host could not be reached)",
        {
          retryable: true,
          cause: error,
        },
      );
    }
    if (response.status >= 300 && response.status < 400 && response.headers.has("location")) {
      await response.body?.cancel();
      const next = parseUrl(new URL(response.headers.get("location")!, current).toString(), options);
      if (current.protocol === "https:" && next.protocol !== "https:") {
        throw unavailable(options.fileName, "its download redirected to an insecure (http) address");
      }
      current = next;
      continue;
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw unavailable(options.fileName, reasonFor(response.status), {
        retryable: response.status === 429 || response.status >= 500,
        detail: `HTTP ${response.status} from ${current.host}`,
      });
    }
    return Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  }
  throw unavailable(options.fileName, "its download redirected too many times");
}

/** The `hostname:port` of a URL, as compared for token scoping. */
export function hostOf(url: string): string {
  return new URL(url).host.toLowerCase();
}

function parseUrl(url: string, options: ScopedFetchOptions): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw unavailable(options.fileName, "its download address is not valid");
  }
  if (parsed.protocol !== "https:" && !(options.allowHttp && parsed.protocol === "http:")) {
    throw unavailable(options.fileName, "its download address is not https");
  }
  return parsed;
}

function reasonFor(status: number): string {
  if (status === 401 || status === 403) return "databot is not allowed to read it";
  if (status === 404 || status === 410) return "it no longer exists, or its link expired";
  if (status === 429) return "Microsoft 365 is throttling downloads right now; try again in a minute";
  return `the download failed (HTTP ${status})`;
}

/** An `attachment_unavailable` error whose user message names the file and the reason. */
export function unavailable(
  fileName: string,
  reason: string,
  options: { retryable?: boolean; cause?: unknown; detail?: string } = {},
): DatabotError {
  return new DatabotError(
    ErrorCode.AttachmentUnavailable,
    `I couldn't read "${fileName}": ${reason}.`,
    options,
  );
}
