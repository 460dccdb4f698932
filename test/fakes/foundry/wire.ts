/**
 * The fake's vocabulary: objects kept exactly in the service's JSON shape (snake_case, Unix seconds), the error
 * envelope, ids that look like the service's, and the list paging every list endpoint shares.
 */
import crypto from "node:crypto";

export type JsonObject = Record<string, unknown>;

/** An error the service answers with: `{error:{message,type,param,code}}` and an HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string = "invalid_request_error",
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  envelope(): JsonObject {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export const notFound = (kind: string, id: string): ApiError =>
  new ApiError(404, `No ${kind} found with id '${id}'.`);

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** An id with the service's prefixes: asst_, thread_, msg_, run_, step_, call_, and assistant- for files. */
export function newId(prefix: string, length = 24): string {
  const bytes = crypto.randomBytes(length);
  let out = "";
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return prefix + out;
}

/** The current time in Unix seconds, as the service reports it. */
export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Something listable, kept in creation order: the service lists newest first unless `order=asc`. */
export interface Listable {
  id: string;
}

/** Reads and checks `limit` (1..100, default 20), `order` (asc|desc, default desc), `after` and `before`. */
function pageQuery(query: URLSearchParams): {
  limit: number;
  order: "asc" | "desc";
  after?: string;
  before?: string;
} {
  const rawLimit = query.get("limit");
  const limit = rawLimit === null ? 20 : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new ApiError(
      400,
      `Invalid 'limit': integer between 1 and 100 expected, got '${rawLimit}'.`,
      undefined,
      "limit",
    );
  }
  const order = query.get("order") ?? "desc";
  if (order !== "asc" && order !== "desc") {
    throw new ApiError(400, `Invalid 'order': expected 'asc' or 'desc', got '${order}'.`, undefined, "order");
  }
  return { limit, order, after: query.get("after") ?? undefined, before: query.get("before") ?? undefined };
}

/**
 * One page of `items` (kept in creation order) as the service's list envelope, with real cursors: `after` returns
 * the items following that id in the requested order, `before` the ones preceding it.
 */
export function page<T extends Listable>(items: readonly T[], query: URLSearchParams): JsonObject {
  const { limit, order, after, before } = pageQuery(query);
  const ordered = order === "asc" ? [...items] : [...items].reverse();
  let start = 0;
  let end = ordered.length;
  if (after !== undefined) {
    const at = ordered.findIndex((item) => item.id === after);
    start = at < 0 ? ordered.length : at + 1;
  }
  if (before !== undefined) {
    const at = ordered.findIndex((item) => item.id === before);
    end = at < 0 ? 0 : at;
    start = Math.max(start, end - limit);
  }
  const data = ordered.slice(start, Math.min(end, start + limit));
  return {
    object: "list",
    data,
    first_id: data[0]?.id ?? null,
    last_id: data[data.length - 1]?.id ?? null,
    has_more: before !== undefined ? start > 0 && data.length > 0 : start + data.length < end,
  };
}
