/**
 * The Microsoft Graph calls databot makes, with an app-only token: read a channel or chat message to find its
 * shared files, download a shared file, and upload a generated file to a channel's Files folder.
 *
 * Permissions: RSC `ChannelMessage.Read.Group` / `ChatMessage.Read.Chat` (read the message), application
 * `Files.Read.All` (download through `/shares`) and `Files.ReadWrite.All` (upload to the channel's folder).
 */
import type { Readable } from "node:stream";
import type { GraphConfig } from "../../../config";
import { DatabotError, ErrorCode } from "../../../core/errors";
import type { GraphMessageLocation } from "./normalize";
import { OutboundError } from "../../outbound/guard";
import { hostOf, unavailable, type TeamsFetcher } from "./scoped-fetch";
import { trustedCas } from "../../outbound/trusted-cas";
import { clientCredentialsTokens, StaticTokenProvider, type TokenProvider } from "./token-provider";
import { uploadToSession, type UploadedItem } from "./upload-session";

const GRAPH_SCOPE = "https://graph.microsoft.com/.default";
const LOOKUP_TIMEOUT_MS = 5000;

/** A file shared in a message, as Graph lists it. */
export interface SharedFile {
  name: string;
  /** The SharePoint or OneDrive URL of the file (not a download link). */
  contentUrl: string;
}

export class GraphClient {
  private readonly tokens: TokenProvider;
  private readonly origin: string;

  constructor(
    private readonly config: GraphConfig,
    private readonly fetcher: TeamsFetcher,
  ) {
    this.origin = new URL(config.apiUrl).origin;
    this.tokens = config.staticToken
      ? new StaticTokenProvider(config.staticToken)
      : clientCredentialsTokens({
          authorityHost: config.authorityHost,
          defaultTenant: config.tenantId,
          clientId: config.clientId,
          clientSecret: config.clientSecret ?? "",
          scope: GRAPH_SCOPE,
          ca: config.authorityCaFile
            ? trustedCas(config.authorityCaFile, "TEAMS_AUTHORITY_CA_FILE")
            : undefined,
        });
  }

  /** The files (`reference` attachments) of a channel or chat message. */
  async messageFiles(location: GraphMessageLocation, tenantId?: string): Promise<SharedFile[]> {
    const path =
      location.kind === "chat"
        ? `/chats/${enc(location.chatId)}/messages/${enc(location.messageId)}`
        : location.rootId === location.messageId
          ? `/teams/${enc(location.teamId)}/channels/${enc(location.channelId)}/messages/${enc(location.rootId)}`
          : `/teams/${enc(location.teamId)}/channels/${enc(location.channelId)}/messages/${enc(location.rootId)}/replies/${enc(location.messageId)}`;
    const message = (await this.json("GET", path, tenantId, undefined, LOOKUP_TIMEOUT_MS)) as {
      attachments?: { contentType?: string; contentUrl?: string | null; name?: string | null }[];
    };
    return (message.attachments ?? [])
      .filter((a) => a.contentType === "reference" && a.contentUrl && a.name)
      .map((a) => ({ name: a.name!, contentUrl: a.contentUrl! }));
  }

  /** Streams a shared file's bytes (`/shares/u!{url}/driveItem/content`; the download host gets no token). */
  async openShared(file: SharedFile, tenantId?: string, signal?: AbortSignal): Promise<Readable> {
    const token = await this.tokens.getToken(tenantId);
    return this.fetcher.download(
      `${this.config.apiUrl}/shares/${shareId(file.contentUrl)}/driveItem/content`,
      {
        token,
        tokenHost: hostOf(this.config.apiUrl),
        trustedOrigin: this.origin,
        fileName: file.name,
        signal,
      },
    );
  }

  /** Uploads a spooled file into a channel's Files folder; a name already taken gets a numbered copy. */
  async uploadToChannel(
    teamId: string,
    channelId: string,
    file: Parameters<typeof uploadToSession>[2],
    tenantId?: string,
  ): Promise<UploadedItem> {
    const folder = (await this.json(
      "GET",
      `/teams/${enc(teamId)}/channels/${enc(channelId)}/filesFolder`,
      tenantId,
    )) as { id: string; parentReference: { driveId: string } };
    const session = (await this.json(
      "POST",
      `/drives/${enc(folder.parentReference.driveId)}/items/${enc(folder.id)}:/${enc(file.name)}:/createUploadSession`,
      tenantId,
      { item: { "@microsoft.graph.conflictBehavior": "rename" } },
    )) as { uploadUrl: string };
    return uploadToSession(this.fetcher, session.uploadUrl, file);
  }

  private async json(
    method: string,
    path: string,
    tenantId: string | undefined,
    body?: unknown,
    timeoutMs = 30_000,
  ): Promise<unknown> {
    const token = await this.tokens.getToken(tenantId);
    let response: { status: number; body: unknown };
    try {
      response = await this.fetcher.json(`${this.config.apiUrl}${path}`, {
        method: method as "GET" | "POST",
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        trustedOrigin: this.origin,
        timeoutMs,
      });
    } catch (error) {
      const detail = error instanceof OutboundError ? error.message : (error as Error).message;
      throw new GraphError(0, "unreachable", detail);
    }
    const payload = response.body as { error?: { code?: string; message?: string } };
    if (response.status < 200 || response.status >= 300) {
      throw new GraphError(response.status, payload.error?.code ?? "unknown", payload.error?.message ?? "");
    }
    return payload;
  }
}

/** A failed Graph call, with what an admin needs to fix it. */
export class GraphError extends DatabotError {
  constructor(
    readonly status: number,
    readonly graphCode: string,
    graphMessage: string,
  ) {
    super(ErrorCode.AttachmentUnavailable, graphUserMessage(status), {
      detail: `Graph ${status} ${graphCode}: ${graphMessage.slice(0, 300)}`,
      retryable: status === 0 || status === 429 || status >= 500,
    });
  }
}

function graphUserMessage(status: number): string {
  if (status === 401 || status === 403) {
    return "databot's Microsoft Graph permissions don't cover this (an admin can grant them; see the install guide)";
  }
  if (status === 404) return "Microsoft Graph could not find this message or its files";
  if (status === 0) return "Microsoft Graph could not be reached";
  return `Microsoft Graph answered HTTP ${status}`;
}

/** Opens a shared file, turning Graph failures into a notice that names the file. */
export async function openSharedFile(
  graph: GraphClient,
  file: SharedFile,
  tenantId: string | undefined,
  signal?: AbortSignal,
): Promise<Readable> {
  try {
    return await graph.openShared(file, tenantId, signal);
  } catch (error) {
    if (error instanceof GraphError) throw unavailable(file.name, error.userMessage, { cause: error });
    throw error;
  }
}

/** Graph's sharing id for a URL: `u!` + unpadded base64url. */
function shareId(url: string): string {
  return `u!${Buffer.from(url, "utf8").toString("base64url")}`;
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}
