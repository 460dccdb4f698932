// Calls to databot's web API. Every change carries the x-databot-client header, which the server requires so
// that other sites cannot post on the user's behalf.

const CLIENT_HEADERS = { "x-databot-client": "web" };

async function request(path, options = {}) {
  const response = await fetch(path, {
    credentials: "same-origin",
    ...options,
    headers: { ...(options.method && options.method !== "GET" ? CLIENT_HEADERS : {}), ...options.headers },
  });
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) {
    const error = new Error(body?.error ?? `databot answered ${response.status}`);
    error.status = response.status;
    error.body = body;
    throw error;
  }
  return body;
}

export const api = {
  config: () => request("/web/api/config"),
  threads: () => request("/web/api/threads"),
  createThread: () => request("/web/api/threads", { method: "POST" }),
  thread: (id) => request(`/web/api/threads/${encodeURIComponent(id)}`),
  send: (id, message) =>
    request(`/web/api/threads/${encodeURIComponent(id)}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(message),
    }),
  /** Uploads one file into a thread; resolves to {upload} or {refused: message}. */
  async upload(threadId, file) {
    const form = new FormData();
    form.append("file", file, file.name);
    try {
      const body = await request(`/web/api/threads/${encodeURIComponent(threadId)}/uploads`, {
        method: "POST",
        body: form,
      });
      if (body.uploads?.length) return { upload: body.uploads[0] };
      return { refused: body.refused?.[0]?.message ?? "The file was not accepted." };
    } catch (error) {
      return { refused: error.body?.refused?.[0]?.message ?? error.message };
    }
  },
  events: (id) => new EventSource(`/web/api/threads/${encodeURIComponent(id)}/events`),
};

/** A unique id per sent message, so a resend is answered once. */
export function newClientId() {
  // getRandomValues works on plain http too (randomUUID needs a secure context).
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
