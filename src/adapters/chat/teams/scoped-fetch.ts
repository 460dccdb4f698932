/**
 * Everything the Teams adapter fetches, through the outbound guard: with an app id only Microsoft's file and
 * attachment hosts are reachable (plus loopback fakes in local mode), a credential goes only to the one host it
 * belongs to, and a redirect from https down to http is refused.
 */
import type { Readable } from "node:stream";
import { DatabotError, ErrorCode } from "../../../core/errors";
import { OutboundError, type OutboundGuard, type OutboundResponse } from "../../outbound/guard";

/**
 * Where Teams, SharePoint, OneDrive and the Bot Framework serve files (public and government clouds). With an
 * app id, payload URLs may point nowhere else.
 */
const MICROSOFT_FILE_HOSTS: readonly string[] = [
  ".sharepoint.com",
  ".sharepoint.us",
  ".sharepoint-mil.us",
  ".sharepoint.cn",
  ".sharepoint.de",
  ".svc.ms",
  ".onedrive.com",
  ".1drv.com",
  "1drv.ms",
  "graph.microsoft.com",
  "graph.microsoft.us",
  "dod-graph.microsoft.us",
  "microsoftgraph.chinacloudapi.cn",
  "smba.trafficmanager.net",
  ".smba.trafficmanager.net",
  ".botframework.com",
  ".botframework.us",
  ".botframework.azure.cn",
  ".teams.microsoft.com",
  ".teams.microsoft.us",
  ".asm.skype.com",
];

/** Largest JSON answer read from Graph or an upload session. */
const MAX_JSON_BYTES = 4 * 1024 * 1024;
/** Long enough for the largest accepted file on a slow link; a stalled one fails sooner. */
const DOWNLOAD_TIMEOUT_MS = 30 * 60_000;

export interface TeamsFetchPolicy {
  outbound: OutboundGuard;
  /** Hosts payload URLs may name (loopback fakes too, in local mode); undefined means any public host. */
  hosts?: readonly string[];
  /** The file policy's size limit. */
  maxBytes: number;
}

/** The host list for the configuration: Microsoft's with an app id, any public host without one (local mode). */
export function teamsFileHosts(appId: string): readonly string[] | undefined {
  return appId ? MICROSOFT_FILE_HOSTS : undefined;
}

export interface DownloadOptions {
  /** Bearer token, sent only to `tokenHost`. */
  token?: string;
  /** The one host (`hostname:port`) allowed to see the token. */
  tokenHost?: string;
  /** An origin from databot's configuration (Graph's), trusted like Microsoft's own hosts. */
  trustedOrigin?: string;
  /** Further hosts this one download may reach (the activity's own, JWT-validated service host). */
  alsoHosts?: readonly string[];
  /** The file's name, for the user-facing error. */
  fileName: string;
  signal?: AbortSignal;
}

export class TeamsFetcher {
  constructor(private readonly policy: TeamsFetchPolicy) {}

  /** GETs a file as a stream; throws `attachment_unavailable` with a reason a user reads. */
  async download(url: string, options: DownloadOptions): Promise<Readable> {
    let response: OutboundResponse;
    try {
      response = await this.policy.outbound.request(url, {
        hosts: this.hosts(options.alsoHosts),
        loopbackCountsAsListed: true,
        trustedOrigins: options.trustedOrigin ? [options.trustedOrigin] : undefined,
        headers: (hop) =>
          options.token && options.tokenHost && hop.host.toLowerCase() === options.tokenHost
            ? { authorization: `Bearer ${options.token}` }
            : {},
        maxBytes: this.policy.maxBytes,
        timeoutMs: DOWNLOAD_TIMEOUT_MS,
        signal: options.signal,
      });
    } catch (error) {
      if (error instanceof OutboundError) {
        throw unavailable(options.fileName, error.userMessage, { cause: error, retryable: error.retryable });
      }
      throw error;
    }
    if (response.status < 200 || response.status >= 300) {
      response.body.destroy();
      throw unavailable(options.fileName, reasonFor(response.status), {
        retryable: response.status === 429 || response.status >= 500,
        detail: `HTTP ${response.status} from ${response.url.host}`,
      });
    }
    return response.body;
  }

  /** A JSON request (Graph, an upload session); the answer is read with a size cap. */
  async json(
    url: string,
    options: {
      method?: "GET" | "PUT" | "POST";
      headers?: Record<string, string>;
      body?: Buffer | string;
      trustedOrigin?: string;
      timeoutMs: number;
    },
  ): Promise<{ status: number; body: unknown }> {
    const response = await this.policy.outbound.request(url, {
      method: options.method,
      hosts: this.hosts(),
      loopbackCountsAsListed: true,
      trustedOrigins: options.trustedOrigin ? [options.trustedOrigin] : undefined,
      headers: () => options.headers ?? {},
      body: options.body,
      maxBytes: MAX_JSON_BYTES,
      timeoutMs: options.timeoutMs,
      maxRedirects: 0,
    });
    const chunks: Buffer[] = [];
    for await (const chunk of response.body) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    return { status: response.status, body: parseJson(text) };
  }

  private hosts(extra: readonly string[] = []): readonly string[] | undefined {
    return this.policy.hosts ? [...this.policy.hosts, ...extra] : undefined;
  }
}

/** A JSON body, or `{}` when there is none or it is not JSON (an error page). */
function parseJson(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : {};
  } catch {
    return {};
  }
}

/** The `hostname:port` of a URL, as compared for token scoping. */
export function hostOf(url: string): string {
  return new URL(url).host.toLowerCase();
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
