/**
 * A fake SharePoint/OneDrive file host on its own loopback address (127.0.0.2), as Microsoft 365 serves files
 * from hosts other than Graph's and Teams':
 * - pre-authorized download URLs (`/download/{token}`), what Teams' `downloadUrl` and Graph's `/content`
 *   redirect point at;
 * - upload sessions (`PUT /upload/{session}` with `Content-Range`, 202 with `nextExpectedRanges` until the last
 *   chunk, then 201 with the driveItem), as handed out by Graph's `createUploadSession` and Teams' file consent.
 * These URLs carry their own authorization: like the real service, a request that brings a bearer token is
 * refused with 401, and every request's Authorization header is recorded so tests can prove none was sent.
 */
import { randomBytes, randomUUID } from "node:crypto";
import express from "express";
import { startFakeServer, type FakeServer } from "./http";

export interface StoredFile {
  name: string;
  data: Buffer;
}

export interface UploadSession {
  id: string;
  name: string;
  /** Where the finished item appears (a user's OneDrive or a channel's folder). */
  folderUrl: string;
  received: Buffer[];
  receivedBytes: number;
  item?: { id: string; name: string; webUrl: string; eTag: string; size: number };
}

export class FakeSharePoint {
  readonly requests: { path: string; authorization?: string }[] = [];
  readonly sessions = new Map<string, UploadSession>();
  private readonly downloads = new Map<string, StoredFile>();
  private server?: FakeServer;

  get url(): string {
    return this.server!.url;
  }

  async start(): Promise<this> {
    this.server = await startFakeServer((app) => {
      app.use((req, res, next) => {
        this.requests.push({ path: req.path, authorization: req.headers.authorization });
        if (req.headers.authorization) {
          res.status(401).json({
            error: {
              code: "unauthenticated",
              message: "Pre-authenticated URLs take no Authorization header",
            },
          });
          return;
        }
        next();
      });
      app.get("/download/:token", (req, res) => {
        const file = this.downloads.get(req.params.token);
        if (!file) {
          res.status(404).json({ error: { code: "itemNotFound", message: "The link has expired" } });
          return;
        }
        res.setHeader("content-type", "application/octet-stream");
        res.setHeader("content-disposition", `attachment; filename="${file.name}"`);
        res.send(file.data);
      });
      app.put("/upload/:session", express.raw({ type: () => true, limit: "64mb" }), (req, res) => {
        const session = this.sessions.get(req.params.session);
        if (!session || session.item) {
          res
            .status(404)
            .json({ error: { code: "itemNotFound", message: "The upload session was not found" } });
          return;
        }
        const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(req.headers["content-range"] ?? ""));
        const body = req.body as Buffer;
        if (
          !range ||
          Number(range[1]) !== session.receivedBytes ||
          Number(range[2]) - Number(range[1]) + 1 !== body.length
        ) {
          res.status(416).json({
            error: {
              code: "invalidRange",
              message: "Fragment overlaps or misses bytes",
              nextExpectedRanges: [`${session.receivedBytes}-`],
            },
          });
          return;
        }
        session.received.push(body);
        session.receivedBytes += body.length;
        const total = Number(range[3]);
        if (session.receivedBytes < total) {
          res.status(202).json({
            expirationDateTime: new Date(Date.now() + 3600_000).toISOString(),
            nextExpectedRanges: [`${session.receivedBytes}-`],
          });
          return;
        }
        const uniqueId = randomUUID().toUpperCase();
        session.item = {
          id: `01${randomBytes(8).toString("hex").toUpperCase()}`,
          name: session.name,
          webUrl: `${session.folderUrl}/${encodeURIComponent(session.name)}`,
          eTag: `"{${uniqueId}},1"`,
          size: total,
        };
        res.status(201).json(session.item);
      });
    }, "127.0.0.2");
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }

  /** A pre-authorized download URL for a file (what Teams puts in `downloadUrl`). */
  downloadUrl(file: StoredFile): string {
    const token = randomBytes(12).toString("hex");
    this.downloads.set(token, file);
    return `${this.url}/download/${token}?tempauth=${token}`;
  }

  /** Opens an upload session; returns its pre-authorized URL. */
  createUploadSession(name: string, folderUrl: string): { uploadUrl: string; session: UploadSession } {
    const session: UploadSession = { id: randomUUID(), name, folderUrl, received: [], receivedBytes: 0 };
    this.sessions.set(session.id, session);
    return { uploadUrl: `${this.url}/upload/${session.id}`, session };
  }

  /** The bytes an upload session received. */
  uploaded(name: string): Buffer | undefined {
    const session = [...this.sessions.values()].find((s) => s.name === name && s.item);
    return session ? Buffer.concat(session.received) : undefined;
  }

  /** Any request that carried an Authorization header (there should be none). */
  requestsWithToken(): { path: string; authorization?: string }[] {
    return this.requests.filter((r) => r.authorization);
  }
}
