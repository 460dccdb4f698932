/**
 * The files operations: multipart upload (read as it arrives), file info, deletion and exact content.
 */
import type http from "node:http";
import Busboy from "busboy";
import { route, type Route, type RouteDeps, WRITTEN } from "./route";
import { ApiError } from "./wire";

const MAX_FILE_BYTES = 512 * 1024 * 1024;

/** Reads a multipart upload (`file`, `purpose`, optional `filename`) as it arrives. */
export function readUpload(
  req: http.IncomingMessage,
  onBytes?: (bytes: number) => void,
  keep = true,
): Promise<{ content: Buffer; bytes: number; purpose?: string; filename?: string }> {
  return new Promise((resolve, reject) => {
    let parser: Busboy.Busboy;
    try {
      parser = Busboy({ headers: req.headers, limits: { fileSize: MAX_FILE_BYTES + 1 } });
    } catch {
      reject(new ApiError(400, "Invalid multipart/form-data body.", undefined, "file"));
      return;
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    const fields: Record<string, string> = {};
    let partName: string | undefined;
    let sawFile = false;
    parser.on("file", (_name, stream, info) => {
      sawFile = true;
      partName = info.filename;
      stream.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        if (keep) chunks.push(chunk);
        onBytes?.(chunk.length);
      });
    });
    parser.on("field", (name, value) => (fields[name] = value));
    parser.on("error", () =>
      reject(new ApiError(400, "Invalid multipart/form-data body.", undefined, "file")),
    );
    parser.on("close", () => {
      if (!sawFile)
        return reject(new ApiError(400, "Missing required parameter: 'file'.", undefined, "file"));
      resolve({
        content: Buffer.concat(chunks),
        bytes,
        purpose: fields.purpose,
        filename: fields.filename ?? partName,
      });
    });
    req.pipe(parser);
  });
}

export function fileRoutes({ state }: RouteDeps): Route[] {
  return [
    route("GET", "/files", async (ctx) => {
      const purpose = ctx.query.get("purpose");
      const data = [...state.files.values()]
        .map((f) => f.info)
        .filter((f) => !purpose || f.purpose === purpose);
      return { object: "list", data };
    }),
    route("POST", "/files", async (ctx) => {
      const upload = await readUpload(
        ctx.req,
        (bytes) => (state.uploadBytesReceived += bytes),
        state.keepUploadContent,
      );
      if (!upload.purpose)
        throw new ApiError(400, "Missing required parameter: 'purpose'.", undefined, "purpose");
      if (upload.bytes > MAX_FILE_BYTES) {
        throw new ApiError(400, "File is too large: the maximum size is 512 MB.", undefined, "file");
      }
      return state.addFile(upload.content, upload.filename ?? "upload", upload.purpose, upload.bytes);
    }),
    route("GET", "/files/{id}", async (ctx) => state.file(ctx.params[0]!).info),
    route("DELETE", "/files/{id}", async (ctx) => {
      state.file(ctx.params[0]!);
      state.files.delete(ctx.params[0]!);
      return { id: ctx.params[0], object: "file", deleted: true };
    }),
    route("GET", "/files/{id}/content", async (ctx) => {
      const file = state.file(ctx.params[0]!);
      ctx.res.writeHead(200, {
        "content-type": "application/octet-stream",
        "content-length": file.content.length,
      });
      ctx.res.end(file.content);
      return WRITTEN;
    }),
  ];
}
