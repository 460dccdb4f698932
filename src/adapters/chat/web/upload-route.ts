/**
 * `POST /web/api/threads/:key/uploads`: multipart form data, parsed as a stream with busboy. Each file goes through the file
 * policy while it streams to disk; the answer lists the stored uploads and, for refused files, why.
 */
import { PassThrough } from "node:stream";
import busboy from "busboy";
import type { Request, Response } from "express";
import type { Logger } from "../../../core/logger";
import type { UploadOutcome, UploadStore } from "./uploads";

const MAX_FILES = 20;

export function uploadHandler(uploads: UploadStore, logger: Logger) {
  return (req: Request, res: Response): void => {
    const thread = String(req.params.key);
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: { files: MAX_FILES, fields: 10, parts: MAX_FILES + 10 },
      });
    } catch {
      res.status(400).json({ error: "Send the files as multipart/form-data." });
      return;
    }
    const outcomes: Promise<UploadOutcome>[] = [];
    let tooMany = false;
    parser.on("file", (_field, file, info) => {
      // The policy may stop reading early (a refused file); the rest of this part is then drained, because
      // busboy waits for every file stream to be read before it parses the next part.
      const relay = new PassThrough();
      // A part cut off before its closing boundary fails the file stream itself: fail this upload, not the
      // process. The relay may fail before the store starts reading it; the store then sees it errored.
      file.on("error", (error: Error) => relay.destroy(error));
      relay.on("error", (error: Error) => logger.debug({ err: error }, "an uploaded file was cut off"));
      file.pipe(relay);
      outcomes.push(
        uploads.save(thread, info.filename ?? "", relay).finally(() => {
          file.unpipe(relay);
          file.resume();
        }),
      );
    });
    parser.on("filesLimit", () => (tooMany = true));
    parser.on("error", (error: Error) => {
      logger.warn({ err: error }, "upload could not be parsed");
      if (!res.headersSent) res.status(400).json({ error: "The upload could not be read; try again." });
      req.unpipe(parser);
      req.resume();
    });
    parser.on("close", () => {
      void Promise.allSettled(outcomes).then((settled) => {
        if (res.headersSent) return;
        const stored = [];
        const refused = [];
        for (const result of settled) {
          if (result.status === "rejected") {
            logger.error({ err: result.reason as Error }, "storing an upload failed");
            refused.push({ name: "", message: "databot could not store a file; try again." });
          } else if (result.value.ok) {
            const { id, name, size } = result.value.upload;
            stored.push({ id, name, size });
          } else {
            refused.push({ name: result.value.name, message: result.value.message });
          }
        }
        if (tooMany) refused.push({ name: "", message: `At most ${MAX_FILES} files can be sent at once.` });
        if (stored.length === 0 && refused.length === 0) {
          res.status(400).json({ error: "There was no file in the upload." });
          return;
        }
        const status = stored.length > 0 ? 200 : 422;
        res.status(status).json({
          uploads: stored,
          refused,
          ...(stored.length === 0 ? { error: refused.map((r) => r.message).join(" ") } : {}),
        });
      });
    });
    // A client that goes away mid-upload: stop parsing; the files already stored are swept later.
    req.on("error", () => parser.destroy());
    req.pipe(parser);
  };
}
