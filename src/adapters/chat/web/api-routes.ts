/**
 * The web chat's JSON API under `/web/api`: threads, their transcripts, sending a message, live events, and
 * downloads of the charts and files databot produced.
 */
import { randomUUID } from "node:crypto";
import { pipeline } from "node:stream/promises";
import express, { type NextFunction, type Request, type Response, type Router } from "express";
import { asDatabotError } from "../../../core/errors";
import { SUPPORTED_FILE_TYPES } from "../../../core/files/file-types";
import type { Logger } from "../../../core/logger";
import type { MessageSink } from "../../../core/ports";
import { bodyDeadline } from "../http";
import type { InboundMessage } from "../../../core/types";
import type { LiveEvents } from "./live-events";
import { presentEntry, type TranscriptStore } from "./transcript";
import { uploadHandler } from "./upload-route";
import type { UploadStore } from "./uploads";
import { webThreadId } from "./web-surface";

const MAX_TEXT = 20_000;
const MAX_ATTACHMENTS = 20;
const THREAD_LIST_LIMIT = 200;
const NOT_TAKEN = "databot could not take this message just now. Send it again in a moment.";
const CLIENT_ID = /^[A-Za-z0-9_-]{8,64}$/;

export interface ApiDeps {
  sink: MessageSink;
  transcripts: TranscriptStore;
  uploads: UploadStore;
  live: LiveEvents;
  logger: Logger;
  maxFileBytes: number;
}

/** Routes relative to `/web/api`. */
export function apiRouter(deps: ApiDeps): Router {
  const { transcripts, live } = deps;
  const router = express.Router();

  router.get("/config", (_req, res) => {
    res.json({
      maxFileBytes: deps.maxFileBytes,
      extensions: SUPPORTED_FILE_TYPES.map((t) => t.extension),
    });
  });

  router.get("/threads", async (_req, res) => {
    res.json({ threads: await transcripts.list(THREAD_LIST_LIMIT) });
  });

  router.post("/threads", async (_req, res) => {
    res.status(201).json({ thread: await transcripts.create() });
  });

  router.get("/threads/:key", async (req, res) => {
    const key = String(req.params.key);
    const thread = await transcripts.get(key);
    if (!thread) return notFound(res);
    const entries = (await transcripts.entries(key)).map((e) => presentEntry(key, e));
    res.setHeader("cache-control", "no-store");
    res.json({ thread, entries, status: (await live.status(key)) ?? null });
  });

  router.patch("/threads/:key", express.json({ limit: "16kb" }), async (req, res) => {
    const key = String(req.params.key);
    const title = (req.body as { title?: unknown } | undefined)?.title;
    if (typeof title !== "string" || title.trim() === "") return bad(res, "Give the chat a name.");
    if (!(await transcripts.rename(key, title))) return notFound(res);
    res.json({ thread: await transcripts.get(key) });
  });

  router.delete("/threads/:key", async (req, res) => {
    const key = String(req.params.key);
    if (!(await transcripts.get(key))) return notFound(res);
    await deleteThread(deps, key);
    res.status(204).end();
  });

  router.get("/threads/:key/events", async (req, res) => {
    const key = String(req.params.key);
    if (!(await transcripts.get(key))) return notFound(res);
    live.subscribe(key, res);
  });

  router.post(
    "/threads/:key/messages",
    bodyDeadline(30_000),
    express.json({ limit: "256kb" }),
    async (req, res) => {
      const key = String(req.params.key);
      if (!(await transcripts.get(key))) return notFound(res);
      const body = (req.body ?? {}) as { text?: unknown; uploads?: unknown; clientId?: unknown };
      const text = typeof body.text === "string" ? body.text : "";
      const uploadIds = Array.isArray(body.uploads) ? body.uploads.filter((u) => typeof u === "string") : [];
      if (text.length > MAX_TEXT) return bad(res, `Messages can be at most ${MAX_TEXT} characters long.`);
      if (uploadIds.length > MAX_ATTACHMENTS) return bad(res, `Attach at most ${MAX_ATTACHMENTS} files.`);
      const clientId =
        typeof body.clientId === "string" && CLIENT_ID.test(body.clientId) ? body.clientId : randomUUID();
      const messageId = `web:${key}:${clientId}`;

      // A resend of the same message (a flaky network, a double click) is answered once.
      const earlier = (await transcripts.entries(key)).find(
        (e) => e.kind === "user" && e.messageId === messageId,
      );
      if (earlier) return res.status(200).json({ entry: earlier, duplicate: true });

      const records = await Promise.all(uploadIds.map((id) => deps.uploads.get(id)));
      // Another thread's upload is as unknown here as one that expired.
      if (records.some((r) => r === undefined || r.thread !== key)) {
        return bad(res, "An attached file is no longer available on the server; attach it again.");
      }
      const files = records.filter((r) => r !== undefined);
      await deps.uploads.attach(files);
      if (text.trim() === "" && files.length === 0) return bad(res, "Type a message or attach a file.");

      const entry = await transcripts.addUser(key, {
        messageId,
        text,
        attachments: files.map((f) => ({ name: f.name, size: f.size })),
      });
      live.publish(key, { type: "entry", entry: presentEntry(key, entry) });
      const message: InboundMessage = {
        id: messageId,
        platform: "web",
        threadId: webThreadId(key),
        author: { id: "web-user" },
        text,
        attachments: files.map((f) => ({
          name: f.name,
          mimeType: f.mimeType,
          size: f.size,
          ref: { upload: f.id },
        })),
        sentAt: entry.at,
      };
      try {
        const result = await deps.sink.receive(message);
        res.status(202).json({ entry, status: result.status });
      } catch (error) {
        const failure = asDatabotError(error);
        deps.logger.error({ err: failure, messageId }, "web message could not be recorded");
        const reply = await transcripts.addBot(key, {
          replyTo: messageId,
          text: "",
          images: [],
          files: [],
          code: [],
          notices: [],
          error: { code: failure.code, message: NOT_TAKEN, retryable: false },
        });
        if (reply) live.publish(key, { type: "entry", entry: presentEntry(key, reply) });
        res.status(503).json({ error: NOT_TAKEN, entry, reply });
      }
    },
  );

  router.get("/threads/:key/entries/:entryId/files/:name", async (req, res) => {
    const { key, entryId, name } = req.params as Record<string, string>;
    const asset = await transcripts.openAsset(key!, entryId!, name!);
    if (!asset) return notFound(res);
    res.setHeader("content-length", String(asset.size));
    res.setHeader("cache-control", "private, max-age=86400, immutable");
    if (asset.kind === "image") {
      res.type("image/png");
      res.setHeader("content-disposition", `inline; filename*=UTF-8''${encodeURIComponent(name!)}`);
    } else {
      // Never rendered by the browser, whatever the analysis made (an .html or .svg file included).
      res.attachment(name!); // sets a type from the extension: replaced next
      res.type("application/octet-stream");
    }
    res.setHeader("x-content-type-options", "nosniff");
    await pipeline(asset.stream, res).catch((error: unknown) => {
      deps.logger.debug({ err: error }, "a download was cut off");
      res.destroy();
    });
  });

  router.post("/threads/:key/uploads", async (req, res, next) => {
    if (!(await transcripts.get(String(req.params.key)))) return notFound(res);
    next();
  });
  router.post("/threads/:key/uploads", uploadHandler(deps.uploads, deps.logger));

  router.use((_req, res) => notFound(res));
  router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const failure = asDatabotError(error);
    const status = (error as { status?: number }).status;
    if (status && status >= 400 && status < 500) {
      res.status(status).json({ error: "The request could not be read." });
      return;
    }
    deps.logger.error({ err: failure }, "web chat request failed");
    if (!res.headersSent) res.status(500).json({ error: "Something went wrong on databot's side." });
  });
  return router;
}

/**
 * Deletes a thread as `reset` does, and its history with it: the transcript and every chart and file, its
 * uploads, its live status, and — through the inbox, in turn after whatever the thread is running — the
 * thread mapping and the backend's thread (the thread's `reset` command; its reply has nowhere to go and is
 * dropped). A running question is stopped first.
 */
async function deleteThread(deps: ApiDeps, key: string): Promise<void> {
  const running = await deps.live.status(key);
  await deps.transcripts.delete(key);
  for (const upload of await deps.uploads.inThread(key)) await deps.uploads.remove(upload.id);
  const command = (text: string, id: string): InboundMessage => ({
    id: `web:${key}:${id}`,
    platform: "web",
    threadId: webThreadId(key),
    author: { id: "web-user" },
    text,
    attachments: [],
    sentAt: new Date().toISOString(),
  });
  if (running) await deps.sink.receive(command("stop", "delete-stop"));
  await deps.sink.receive(command("reset", "delete"));
  deps.live.forget(key);
}

function notFound(res: Response): void {
  res.status(404).json({ error: "Not found." });
}

function bad(res: Response, message: string): void {
  res.status(400).json({ error: message });
}
