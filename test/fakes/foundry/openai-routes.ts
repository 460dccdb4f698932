/**
 * The OpenAI-compatible routes below `{project}/openai/v1` (no api-version): files, conversations with their
 * items, and containers with their files — the shapes of openai-node's `files`, `conversations` and
 * `containers` resources, with cursor paging and the error envelope.
 */
import { readUpload } from "./file-routes";
import { route, type Route, WRITTEN } from "./route";
import type { FakeConversation, ResponsesState, WireItem } from "./responses-state";
import type { FakeState } from "./state";
import { ApiError, type JsonObject, newId, page } from "./wire";

export const OPENAI_PREFIX = "/openai/v1";
const MAX_ITEMS_PER_REQUEST = 20;
const MAX_FILE_BYTES = 512 * 1024 * 1024;
const PURPOSES = new Set(["assistants", "batch", "fine-tune", "vision", "user_data", "evals"]);

/** A conversation item as stored: input messages get ids and `input_text` parts. */
export function toItem(input: unknown, index: number): WireItem {
  const item = input as JsonObject | null;
  if (!item || typeof item !== "object") {
    throw new ApiError(
      400,
      `Invalid 'items[${index}]': expected an object.`,
      "invalid_request_error",
      `items[${index}]`,
    );
  }
  const type = (item.type as string | undefined) ?? "message";
  if (type !== "message") return { ...item, id: (item.id as string) ?? newId("item_", 40), type };
  if (!["user", "assistant", "system", "developer"].includes(item.role as string)) {
    throw new ApiError(
      400,
      `Invalid 'items[${index}].role'.`,
      "invalid_request_error",
      `items[${index}].role`,
    );
  }
  const content =
    typeof item.content === "string"
      ? [{ type: item.role === "assistant" ? "output_text" : "input_text", text: item.content }]
      : Array.isArray(item.content)
        ? item.content
        : undefined;
  if (!content) {
    throw new ApiError(
      400,
      `Invalid 'items[${index}].content'.`,
      "invalid_request_error",
      `items[${index}].content`,
    );
  }
  return { id: newId("msg_", 40), type: "message", status: "completed", role: item.role, content };
}

function itemList(items: WireItem[]): JsonObject {
  return {
    object: "list",
    data: items,
    first_id: items[0]?.id ?? null,
    last_id: items[items.length - 1]?.id ?? null,
    has_more: false,
  };
}

function conversationRoutes(state: ResponsesState): Route[] {
  const p = OPENAI_PREFIX;
  const items = (conversation: FakeConversation, body: JsonObject): WireItem[] => {
    const list = body.items;
    if (!Array.isArray(list))
      throw new ApiError(400, "Missing required parameter: 'items'.", "invalid_request_error", "items");
    if (list.length > MAX_ITEMS_PER_REQUEST) {
      throw new ApiError(
        400,
        `Invalid 'items': at most ${MAX_ITEMS_PER_REQUEST} items per request.`,
        "invalid_request_error",
        "items",
      );
    }
    const added = list.map(toItem);
    conversation.items.push(...added);
    return added;
  };
  return [
    route("POST", `${p}/conversations`, async (ctx) => {
      const body = await ctx.body();
      const conversation = state.createConversation((body.metadata as JsonObject | undefined) ?? {});
      if (body.items !== undefined && body.items !== null) items(conversation, body);
      return conversation.info;
    }),
    route("GET", `${p}/conversations/{id}`, async (ctx) => state.conversation(ctx.params[0]!).info),
    route("POST", `${p}/conversations/{id}`, async (ctx) => {
      const conversation = state.conversation(ctx.params[0]!);
      conversation.info.metadata = ((await ctx.body()).metadata as JsonObject | undefined) ?? {};
      return conversation.info;
    }),
    route("DELETE", `${p}/conversations/{id}`, async (ctx) => {
      state.conversation(ctx.params[0]!);
      state.conversations.delete(ctx.params[0]!);
      return { id: ctx.params[0], object: "conversation.deleted", deleted: true };
    }),
    route("GET", `${p}/conversations/{id}/items`, async (ctx) =>
      page(state.conversation(ctx.params[0]!).items, ctx.query),
    ),
    route("POST", `${p}/conversations/{id}/items`, async (ctx) => {
      const conversation = state.conversation(ctx.params[0]!);
      state.assertFree(conversation);
      return itemList(items(conversation, await ctx.body()));
    }),
    route("GET", `${p}/conversations/{id}/items/{id}`, async (ctx) => {
      const item = state.conversation(ctx.params[0]!).items.find((i) => i.id === ctx.params[1]);
      if (!item)
        throw new ApiError(
          404,
          `Item with id '${ctx.params[1]}' not found.`,
          "invalid_request_error",
          null,
          "not_found",
        );
      return item;
    }),
  ];
}

function fileRoutes(files: FakeState): Route[] {
  const p = OPENAI_PREFIX;
  return [
    route("POST", `${p}/files`, async (ctx) => {
      const upload = await readUpload(
        ctx.req,
        (bytes) => (files.uploadBytesReceived += bytes),
        files.keepUploadContent,
      );
      if (!upload.purpose)
        throw new ApiError(400, "Missing required parameter: 'purpose'.", "invalid_request_error", "purpose");
      if (!PURPOSES.has(upload.purpose)) {
        throw new ApiError(
          400,
          `Invalid value for 'purpose': '${upload.purpose}'.`,
          "invalid_request_error",
          "purpose",
        );
      }
      if (upload.bytes > MAX_FILE_BYTES) {
        throw new ApiError(
          400,
          "File is too large: the maximum size is 512 MB.",
          "invalid_request_error",
          "file",
        );
      }
      const info = files.addFile(upload.content, upload.filename ?? "upload", upload.purpose, upload.bytes);
      return { ...info, expires_at: null };
    }),
    route("GET", `${p}/files`, async (ctx) =>
      page(
        [...files.files.values()].map((f) => f.info),
        ctx.query,
      ),
    ),
    route("GET", `${p}/files/{id}`, async (ctx) => files.file(ctx.params[0]!).info),
    route("DELETE", `${p}/files/{id}`, async (ctx) => {
      files.file(ctx.params[0]!);
      files.files.delete(ctx.params[0]!);
      return { id: ctx.params[0], object: "file", deleted: true };
    }),
    route("GET", `${p}/files/{id}/content`, async (ctx) => {
      const file = files.file(ctx.params[0]!);
      ctx.res.writeHead(200, {
        "content-type": "application/octet-stream",
        "content-length": file.content.length,
      });
      ctx.res.end(file.content);
      return WRITTEN;
    }),
  ];
}

function containerRoutes(state: ResponsesState, files: FakeState): Route[] {
  const p = OPENAI_PREFIX;
  return [
    route("POST", `${p}/containers`, async (ctx) => {
      const body = await ctx.body();
      if (typeof body.name !== "string" || body.name === "") {
        throw new ApiError(400, "Missing required parameter: 'name'.", "invalid_request_error", "name");
      }
      const expires = (body.expires_after as JsonObject | undefined) ?? {
        anchor: "last_active_at",
        minutes: 20,
      };
      if (
        expires.anchor !== "last_active_at" ||
        !Number.isInteger(expires.minutes) ||
        (expires.minutes as number) < 1
      ) {
        throw new ApiError(400, "Invalid 'expires_after'.", "invalid_request_error", "expires_after");
      }
      const fileIds = (body.file_ids as string[] | undefined) ?? [];
      const sources = fileIds.map((id) => files.file(id));
      const container = state.createContainer(
        body.name,
        expires.minutes as number,
        (body.memory_limit as string) ?? "1g",
      );
      for (const source of sources) {
        state.writeContainerFile(container, source.info.filename, source.content, "user", source.info.id);
      }
      return container.info;
    }),
    route("GET", `${p}/containers`, async (ctx) =>
      page(
        [...state.containers.keys()].map((id) => state.container(id).info),
        ctx.query,
      ),
    ),
    route("GET", `${p}/containers/{id}`, async (ctx) => state.container(ctx.params[0]!).info),
    route("DELETE", `${p}/containers/{id}`, async (ctx) => {
      state.container(ctx.params[0]!);
      state.containers.delete(ctx.params[0]!);
      return { id: ctx.params[0], object: "container.deleted", deleted: true };
    }),
    route("POST", `${p}/containers/{id}/files`, async (ctx) => {
      const container = state.liveContainer(ctx.params[0]!);
      if ((ctx.req.headers["content-type"] ?? "").startsWith("multipart/form-data")) {
        const upload = await readUpload(ctx.req);
        return state.writeContainerFile(container, upload.filename ?? "upload", upload.content, "user");
      }
      const body = await ctx.body();
      if (typeof body.file_id !== "string") {
        throw new ApiError(
          400,
          "Either 'file' or 'file_id' is required.",
          "invalid_request_error",
          "file_id",
        );
      }
      const source = files.file(body.file_id);
      return state.writeContainerFile(
        container,
        source.info.filename,
        source.content,
        "user",
        source.info.id,
      );
    }),
    route("GET", `${p}/containers/{id}/files`, async (ctx) =>
      page(
        state.container(ctx.params[0]!).files.map((f) => f.info),
        ctx.query,
      ),
    ),
    route("GET", `${p}/containers/{id}/files/{id}`, async (ctx) => {
      const container = state.liveContainer(ctx.params[0]!);
      return state.containerFile(container, ctx.params[1]!).info;
    }),
    route("DELETE", `${p}/containers/{id}/files/{id}`, async (ctx) => {
      const container = state.liveContainer(ctx.params[0]!);
      const file = state.containerFile(container, ctx.params[1]!);
      container.files = container.files.filter((f) => f !== file);
      return { id: file.info.id, object: "container.file.deleted", deleted: true };
    }),
    route("GET", `${p}/containers/{id}/files/{id}/content`, async (ctx) => {
      const container = state.liveContainer(ctx.params[0]!);
      const file = state.containerFile(container, ctx.params[1]!);
      ctx.res.writeHead(200, {
        "content-type": "application/octet-stream",
        "content-length": file.content.length,
      });
      ctx.res.end(file.content);
      return WRITTEN;
    }),
  ];
}

export function openaiRoutes(state: ResponsesState, files: FakeState): Route[] {
  return [...conversationRoutes(state), ...fileRoutes(files), ...containerRoutes(state, files)];
}
