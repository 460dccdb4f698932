// Calls to databot's web API. Every change carries the x-databot-client header, which the server requires so
// that other sites cannot post on the user's behalf.

/** @import { LiveStatus, StoredUpload, ThreadMeta, TranscriptEntry, UploadAnswer, UserEntry, WebConfig } from "./web-api" */

const CLIENT_HEADERS = { "x-databot-client": "web" };

/** A refused or failed API call: the server's status and its answer, when it gave one. */
export class ApiError extends Error {
  /**
   * @param {string} message
   * @param {number} status
   * @param {any} body the server's JSON answer, or null
   */
  constructor(message, status, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

/**
 * @template T the JSON the server answers with
 * @param {string} path
 * @param {RequestInit & { headers?: Record<string, string> }} [options]
 * @returns {Promise<T>}
 */
async function request(path, options = {}) {
  const response = await fetch(path, {
    credentials: "same-origin",
    ...options,
    headers: { ...(options.method && options.method !== "GET" ? CLIENT_HEADERS : {}), ...options.headers },
  });
  /** @type {any} the server's JSON answer, or null */
  let body;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok)
    throw new ApiError(body?.error ?? `databot answered ${response.status}`, response.status, body);
  return body;
}

/** @typedef {{ text: string; uploads: string[]; clientId: string }} OutgoingMessage a message and its uploads' ids */

export const api = {
  /** @returns {Promise<WebConfig>} */
  config: () => request("/web/api/config"),
  /** @returns {Promise<{ threads: ThreadMeta[] }>} */
  threads: () => request("/web/api/threads"),
  /** @returns {Promise<{ thread: ThreadMeta }>} */
  createThread: () => request("/web/api/threads", { method: "POST" }),
  /**
   * @param {string} id
   * @returns {Promise<{ thread: ThreadMeta; entries: TranscriptEntry[]; status: LiveStatus | null }>}
   */
  thread: (id) => request(`/web/api/threads/${encodeURIComponent(id)}`),
  /**
   * @param {string} id
   * @param {string} title
   * @returns {Promise<{ thread: ThreadMeta }>}
   */
  renameThread: (id, title) =>
    request(`/web/api/threads/${encodeURIComponent(id)}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title }),
    }),
  /**
   * Deletes a chat with its messages, charts and files, as `reset` forgets its analysis.
   * @param {string} id
   * @returns {Promise<null>}
   */
  deleteThread: (id) => request(`/web/api/threads/${encodeURIComponent(id)}`, { method: "DELETE" }),
  /**
   * @param {string} id
   * @param {OutgoingMessage} message
   * @returns {Promise<{ entry: UserEntry }>}
   */
  send: (id, message) =>
    request(`/web/api/threads/${encodeURIComponent(id)}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(message),
    }),
  /**
   * Uploads one file into a thread; resolves to {upload} or {refused: message}.
   * @param {string} threadId
   * @param {File} file
   * @returns {Promise<{ upload: StoredUpload; refused?: undefined } | { upload?: undefined; refused: string }>}
   */
  async upload(threadId, file) {
    const form = new FormData();
    form.append("file", file, file.name);
    try {
      /** @type {UploadAnswer} */
      const body = await request(`/web/api/threads/${encodeURIComponent(threadId)}/uploads`, {
        method: "POST",
        body: form,
      });
      if (body.uploads?.[0]) return { upload: body.uploads[0] };
      return { refused: body.refused?.[0]?.message ?? "The file was not accepted." };
    } catch (error) {
      const failure = /** @type {ApiError} */ (error);
      return { refused: failure.body?.refused?.[0]?.message ?? failure.message };
    }
  },
  /** @param {string} id */
  events: (id) => new EventSource(`/web/api/threads/${encodeURIComponent(id)}/events`),
};

/** A unique id per sent message, so a resend is answered once. */
export function newClientId() {
  // getRandomValues works on plain http too (randomUUID needs a secure context).
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
