/**
 * A fake Microsoft Graph (v1.0) for the calls databot makes, with Graph's envelopes and status codes:
 * - `GET /teams/{team}/channels/{channel}/messages/{id}` and `.../messages/{root}/replies/{id}`,
 *   `GET /chats/{chat}/messages/{id}`: chatMessages whose files are `reference` attachments (Teams keeps
 *   channel files in SharePoint);
 * - `GET /shares/u!{base64url}/driveItem/content`: 302 to a pre-authorized download URL on the SharePoint host;
 * - `GET /teams/{team}/channels/{channel}/filesFolder` and
 *   `POST /drives/{drive}/items/{folder}:/{name}:/createUploadSession`.
 * Every call needs a bearer token the test accepts; otherwise 401 `InvalidAuthenticationToken`.
 */
import { randomBytes, randomUUID } from "node:crypto";
import express from "express";
import { startFakeServer, type FakeServer } from "./http";
import type { FakeSharePoint, StoredFile } from "./sharepoint";

interface StoredMessage {
  id: string;
  html: string;
  files: { id: string; name: string; contentUrl: string }[];
}

export class FakeGraph {
  readonly requests: { method: string; path: string; authorization?: string }[] = [];
  private readonly files = new Map<string, StoredFile>();
  private readonly messages = new Map<string, StoredMessage>();
  private readonly folders = new Map<string, { id: string; driveId: string; webUrl: string }>();
  private server?: FakeServer;

  /** @param acceptedTokens the bearer tokens Graph honours right now. */
  constructor(
    private readonly sharepoint: FakeSharePoint,
    private readonly acceptedTokens: () => string[],
  ) {}

  /** `GRAPH_API_URL`. */
  get apiUrl(): string {
    return `${this.server!.url}/v1.0`;
  }

  async start(): Promise<this> {
    this.server = await startFakeServer((app) => {
      app.use((req, res, next) => {
        this.requests.push({ method: req.method, path: req.path, authorization: req.headers.authorization });
        const auth = req.headers.authorization ?? "";
        if (!this.acceptedTokens().some((t) => auth === `Bearer ${t}`)) {
          res.status(401).json({
            error: {
              code: "InvalidAuthenticationToken",
              message: auth ? "Access token validation failure." : "Access token is empty.",
            },
          });
          return;
        }
        next();
      });
      app.use(express.json());
      app.use((req, res) => this.route(req, res));
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }

  /** Puts a file in a channel's SharePoint folder; returns how Graph names it in a message. */
  addFile(name: string, data: Buffer): { id: string; name: string; contentUrl: string } {
    const contentUrl = `https://contoso.sharepoint.com/sites/Sales/Shared%20Documents/General/${encodeURIComponent(name)}`;
    this.files.set(contentUrl, { name, data });
    return { id: randomUUID(), name, contentUrl };
  }

  /** A channel message (root or reply) with shared files. */
  addChannelMessage(
    teamId: string,
    channelId: string,
    rootId: string,
    messageId: string,
    files: StoredMessage["files"],
  ): string {
    const html = `<p>${files.map((f) => `<attachment id="${f.id}"></attachment>`).join("")}</p>`;
    const key =
      rootId === messageId
        ? `channel/${teamId}/${channelId}/${rootId}`
        : `channel/${teamId}/${channelId}/${rootId}/${messageId}`;
    this.messages.set(key, { id: messageId, html, files });
    return html;
  }

  /** A group chat message with shared files. */
  addChatMessage(chatId: string, messageId: string, files: StoredMessage["files"]): string {
    const html = `<p>${files.map((f) => `<attachment id="${f.id}"></attachment>`).join("")}</p>`;
    this.messages.set(`chat/${chatId}/${messageId}`, { id: messageId, html, files });
    return html;
  }

  private route(req: express.Request, res: express.Response): void {
    const raw = req.path;
    const seg = raw.split("/").map((s) => decodeURIComponent(s));
    const notFound = (message: string) => res.status(404).json({ error: { code: "NotFound", message } });
    if (req.method === "GET" && seg[1] === "v1.0" && seg[2] === "teams" && seg[4] === "channels") {
      const [teamId, channelId] = [seg[3]!, seg[5]!];
      if (seg[6] === "filesFolder" && seg.length === 7) {
        res.json(this.folder(teamId, channelId));
        return;
      }
      if (seg[6] === "messages") {
        const key =
          seg[8] === "replies"
            ? `channel/${teamId}/${channelId}/${seg[7]}/${seg[9]}`
            : `channel/${teamId}/${channelId}/${seg[7]}`;
        const message = this.messages.get(key);
        if (!message) return void notFound("Message not found");
        res.json(chatMessage(message));
        return;
      }
    }
    if (req.method === "GET" && seg[1] === "v1.0" && seg[2] === "chats" && seg[4] === "messages") {
      const message = this.messages.get(`chat/${seg[3]}/${seg[5]}`);
      if (!message) return void notFound("Message not found");
      res.json(chatMessage(message));
      return;
    }
    if (req.method === "GET" && seg[2] === "shares" && seg[4] === "driveItem" && seg[5] === "content") {
      const shareId = seg[3] ?? "";
      if (!shareId.startsWith("u!")) {
        res.status(400).json({ error: { code: "invalidRequest", message: "Invalid shares key" } });
        return;
      }
      const url = Buffer.from(shareId.slice(2), "base64url").toString("utf8");
      const file = this.files.get(url);
      if (!file)
        return void notFound(
          "The sharing link no longer exists, or you do not have permission to access it.",
        );
      res.redirect(302, this.sharepoint.downloadUrl(file));
      return;
    }
    const upload = /^\/v1\.0\/drives\/([^/]+)\/items\/([^/:]+):\/(.+):\/createUploadSession$/.exec(raw);
    if (req.method === "POST" && upload) {
      const folder = [...this.folders.values()].find(
        (f) => f.driveId === decodeURIComponent(upload[1]!) && f.id === decodeURIComponent(upload[2]!),
      );
      if (!folder) return void notFound("Item not found");
      const { uploadUrl } = this.sharepoint.createUploadSession(
        decodeURIComponent(upload[3]!),
        folder.webUrl,
      );
      res.json({
        uploadUrl,
        expirationDateTime: new Date(Date.now() + 3600_000).toISOString(),
        nextExpectedRanges: ["0-"],
      });
      return;
    }
    res
      .status(400)
      .json({ error: { code: "BadRequest", message: `Unsupported request: ${req.method} ${raw}` } });
  }

  private folder(teamId: string, channelId: string) {
    const key = `${teamId}/${channelId}`;
    let folder = this.folders.get(key);
    if (!folder) {
      folder = {
        id: `01${randomBytes(8).toString("hex").toUpperCase()}`,
        driveId: `b!${randomBytes(12).toString("base64url")}`,
        webUrl: "https://contoso.sharepoint.com/sites/Sales/Shared%20Documents/General",
      };
      this.folders.set(key, folder);
    }
    return {
      id: folder.id,
      name: "General",
      webUrl: folder.webUrl,
      parentReference: { driveId: folder.driveId, driveType: "documentLibrary" },
      folder: { childCount: 0 },
    };
  }
}

function chatMessage(message: StoredMessage) {
  return {
    id: message.id,
    messageType: "message",
    createdDateTime: new Date().toISOString(),
    body: { contentType: "html", content: message.html },
    attachments: message.files.map((f) => ({
      id: f.id,
      contentType: "reference",
      contentUrl: f.contentUrl,
      content: null,
      name: f.name,
      thumbnailUrl: null,
    })),
  };
}
