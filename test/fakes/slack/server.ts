/**
 * The fake's HTTP side on 127.0.0.1: `/api/<method>` (the Web API), `/upload/v1/<file>` (the pre-authorized
 * upload URLs `files.getUploadURLExternal` hands out) and `/files-pri/...` (file downloads, which need the bot
 * token with `files:read` and otherwise answer, like Slack, with an HTML sign-in page and status 200). Every
 * request is recorded with its host and headers, so tests can check where the token went.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import querystring from "node:querystring";
import busboy from "busboy";
import { callMethod, type ApiContext, type Params } from "./web-api";
import type { SlackState } from "./state";

export interface RecordedRequest {
  host: string;
  method: string;
  path: string;
  /** The API method for `/api/...` requests. */
  apiMethod?: string;
  authorization?: string;
  params?: Params;
  /** The Slack `error` answered, if the call failed. */
  error?: string;
}

export interface FakeSlackServerOptions {
  state: SlackState;
  streaming: () => boolean;
  streamLifetimeMs: () => number;
  agentView: boolean;
  socketUrl: () => string;
  /** Called after each API call, for tests waiting on something to happen. */
  onCall: () => void;
}

const LOGIN_PAGE =
  "<!DOCTYPE html><html><head><title>Slack</title></head><body><h1>Sign in to Acme</h1>" +
  '<form action="/signin" method="post"><input type="email" name="email"></form></body></html>';

export class FakeSlackServer {
  readonly requests: RecordedRequest[] = [];
  readonly server: http.Server;
  origin = "";

  constructor(private readonly options: FakeSlackServerOptions) {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.origin);
    const record: RecordedRequest = {
      host: req.headers.host ?? "",
      method: req.method ?? "GET",
      path: url.pathname,
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    };
    this.requests.push(record);
    if (url.pathname.startsWith("/api/")) return this.api(req, res, url.pathname.slice(5), record);
    if (url.pathname.startsWith("/upload/v1/") && req.method === "POST")
      return this.upload(req, res, url.pathname.slice(11));
    if (url.pathname.startsWith("/files-pri/") && req.method === "GET")
      return this.download(req, res, url.pathname);
    res.statusCode = 404;
    res.end("not found");
  }

  private async api(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    method: string,
    record: RecordedRequest,
  ): Promise<void> {
    const body = await readBody(req);
    const type = req.headers["content-type"] ?? "";
    const params: Params = type.includes("application/json")
      ? (JSON.parse(body.toString("utf8") || "{}") as Params)
      : (querystring.parse(body.toString("utf8")) as Params);
    record.apiMethod = method;
    record.params = params;
    const token =
      bearer(req.headers.authorization) ?? (typeof params.token === "string" ? params.token : undefined);
    const info = token ? this.options.state.tokens.get(token) : undefined;
    const result = !token
      ? { ok: false as const, error: "not_authed" }
      : !info
        ? { ok: false as const, error: "invalid_auth" }
        : callMethod(method, params, this.context(info.scopes, info.kind));
    if (!result.ok) record.error = result.error;
    res.setHeader("content-type", "application/json; charset=utf-8");
    if (info) res.setHeader("x-oauth-scopes", [...info.scopes].join(","));
    res.end(JSON.stringify(result));
    this.options.onCall();
  }

  private context(scopes: Set<string>, tokenKind: "bot" | "app"): ApiContext {
    return {
      state: this.options.state,
      scopes,
      tokenKind,
      origin: this.origin,
      streaming: this.options.streaming(),
      streamLifetimeMs: this.options.streamLifetimeMs(),
      agentView: this.options.agentView,
      socketUrl: this.options.socketUrl,
    };
  }

  /** Raw bytes or a multipart form, as Slack's upload service accepts both. */
  private async upload(req: http.IncomingMessage, res: http.ServerResponse, fileId: string): Promise<void> {
    const file = this.options.state.files.get(fileId);
    const type = req.headers["content-type"] ?? "";
    const bytes = type.startsWith("multipart/form-data") ? await firstFilePart(req) : await readBody(req);
    if (!file || file.state !== "awaiting_upload") {
      res.statusCode = 404;
      res.end("upload not found");
      return;
    }
    if (file.declaredLength !== undefined && bytes.length !== file.declaredLength) {
      res.statusCode = 400;
      res.end(`length mismatch: declared ${file.declaredLength}, received ${bytes.length}`);
      return;
    }
    file.bytes = bytes;
    file.state = "uploaded";
    res.end(`OK - ${bytes.length}`);
    this.options.onCall();
  }

  private async download(req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void> {
    const match = /^\/files-pri\/[A-Z0-9]+-([A-Z0-9]+)\//.exec(path);
    const file = match ? this.options.state.files.get(match[1]!) : undefined;
    this.options.state.downloads.push(path);
    const token = bearer(req.headers.authorization);
    const info = token ? this.options.state.tokens.get(token) : undefined;
    if (!info || info.kind !== "bot" || !info.scopes.has("files:read")) {
      res.setHeader("content-type", "text/html; charset=utf-8");
      res.end(LOGIN_PAGE);
      return;
    }
    if (!file) {
      res.statusCode = 404;
      res.end("file not found");
      return;
    }
    res.setHeader("content-type", file.mimetype);
    res.setHeader("content-length", String(file.bytes.length));
    res.end(file.bytes);
  }
}

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? "");
  return match?.[1];
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function firstFilePart(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parser = busboy({ headers: req.headers });
    let found: Buffer | undefined;
    parser.on("file", (_name, stream) => {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => (found ??= Buffer.concat(chunks)));
    });
    parser.on("close", () => resolve(found ?? Buffer.alloc(0)));
    parser.on("error", reject);
    req.pipe(parser);
  });
}
