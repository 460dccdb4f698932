// The databot web chat: threads in the sidebar, the conversation, the message box with file drop, and live
// progress over Server-Sent Events. The open thread is kept in the address (#/t/<id>), so a reload shows it.
import { api, ApiError, newClientId } from "./api.js";
import { describeProgress, formatSize, formatTime, h, renderEntry, renderMarkdown } from "./render.js";

/** @import { LiveStatus, StoredUpload, TranscriptEntry, WebConfig } from "./web-api" */

/**
 * The elements the client uses as more than an HTMLElement, by id.
 * @typedef {{
 *   composer: HTMLFormElement;
 *   "composer-text": HTMLTextAreaElement;
 *   "file-input": HTMLInputElement;
 *   "reset-thread": HTMLButtonElement;
 *   "rename-thread": HTMLButtonElement;
 *   "delete-thread": HTMLButtonElement;
 *   "rename-form": HTMLFormElement;
 *   "rename-input": HTMLInputElement;
 *   send: HTMLButtonElement;
 * }} TypedElements
 */

/**
 * An element of the page by its id (index.html has every one asked for).
 * @template {string} Id
 * @param {Id} id
 * @returns {Id extends keyof TypedElements ? TypedElements[Id] : HTMLElement}
 */
const $ = (id) =>
  /** @type {Id extends keyof TypedElements ? TypedElements[Id] : HTMLElement} */ (
    /** @type {unknown} */ (document.getElementById(id))
  );

/**
 * A file attached in the message box.
 * @typedef {object} PendingFile
 * @property {string} key
 * @property {File} file
 * @property {string} name
 * @property {"uploading" | "ready" | "refused"} status
 * @property {StoredUpload} [upload] once stored
 * @property {string} [message] why it was refused
 * @property {Promise<void>} [done] settles when the upload has
 */

/**
 * @type {{
 *   config: WebConfig;
 *   threadId: string | null;
 *   rendered: Set<string>;
 *   answered: Set<string>;
 *   pending: PendingFile[];
 *   events: EventSource | null;
 *   sending: boolean;
 *   liveEvents: number;
 * }}
 */
const state = {
  config: { maxFileBytes: Infinity, extensions: [] },
  threadId: null,
  rendered: new Set(),
  /** Messages that have an answer on screen. */
  answered: new Set(),
  /** Files attached in the message box. */
  pending: [],
  events: null,
  sending: false,
  /** Counts live events, so a catch-up answer that is older than one of them does not undo it. */
  liveEvents: 0,
};

// ---------- threads ----------

async function refreshThreads() {
  const { threads } = await api.threads();
  const list = $("thread-list");
  list.replaceChildren(
    ...threads.map((thread) =>
      h(
        "li",
        {},
        h(
          "a",
          { href: `#/t/${thread.id}`, "aria-current": thread.id === state.threadId ? "page" : undefined },
          h("span", { class: "title" }, thread.title),
          h("time", { datetime: thread.updatedAt }, formatTime(thread.updatedAt)),
        ),
      ),
    ),
  );
  $("thread-list-empty").hidden = threads.length > 0;
  const current = threads.find((t) => t.id === state.threadId);
  if (current) setTitle(current.title);
}

/** @param {boolean} enabled whether a thread is open for Rename, Reset and Delete */
function enableThreadButtons(enabled) {
  for (const button of [$("reset-thread"), $("rename-thread"), $("delete-thread")])
    button.disabled = !enabled;
}

/**
 * Shows the name box in place of the title (or the title again).
 * @param {boolean} editing
 */
function showRename(editing) {
  $("rename-form").hidden = !editing;
  $("chat-title").hidden = editing;
  $("rename-thread").hidden = editing;
  if (!editing) return;
  $("rename-input").value = $("chat-title").textContent ?? "";
  $("rename-input").focus();
  $("rename-input").select();
}

async function rename() {
  const id = state.threadId;
  const title = $("rename-input").value.trim();
  if (!id || !title) return;
  try {
    const { thread } = await api.renameThread(id, title);
    setTitle(thread.title);
    showRename(false);
    await refreshThreads();
  } catch (error) {
    setHint(`The chat could not be renamed: ${/** @type {Error} */ (error).message}`, true);
  }
}

async function deleteThread() {
  const id = state.threadId;
  if (!id) return;
  const title = $("chat-title").textContent ?? "this chat";
  if (
    !confirm(
      `Delete "${title}"? Its messages, charts and files are removed, and databot forgets its analysis.`,
    )
  )
    return;
  try {
    await api.deleteThread(id);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) {
      setHint(`The chat could not be deleted: ${/** @type {Error} */ (error).message}`, true);
      return;
    }
  }
  if (location.hash) location.hash = "";
  else await openThread(null);
}

/** @param {string} title */
function setTitle(title) {
  $("chat-title").textContent = title;
  document.title = `${title} · databot`;
}

function threadFromLocation() {
  const match = /^#\/t\/([0-9a-f-]{36})$/.exec(location.hash);
  return match?.[1] ?? null;
}

/** @param {string | null} id */
async function openThread(id) {
  state.events?.close();
  state.events = null;
  // Files waiting in the message box were uploaded into the chat being left; they stay with it.
  if (id !== state.threadId) {
    state.pending = [];
    renderPending();
  }
  state.threadId = id;
  state.rendered.clear();
  state.answered.clear();
  $("entries").replaceChildren();
  showLive(null);
  closeSidebar();
  enableThreadButtons(Boolean(id));
  showRename(false);
  if (!id) {
    setTitle("New chat");
    $("empty-state").hidden = false;
    await refreshThreads();
    return;
  }
  let data;
  try {
    data = await api.thread(id);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      location.hash = "";
      return;
    }
    throw error;
  }
  if (state.threadId !== id) return;
  setTitle(data.thread.title);
  for (const entry of data.entries) addEntry(entry);
  $("empty-state").hidden = data.entries.length > 0;
  if (data.status) showLive(data.status);
  listen(id);
  await refreshThreads();
  scrollToEnd();
}

/**
 * Follows the thread live. Each time the stream (re)opens, the transcript is fetched again, so nothing that
 * happened before the stream was connected is missed. Resolves once the stream is open (or after 3 s).
 * @param {string} id
 * @returns {Promise<unknown>}
 */
function listen(id) {
  const events = api.events(id);
  state.events = events;
  const opened = new Promise((resolve) => {
    events.addEventListener("open", resolve, { once: true });
    setTimeout(resolve, 3000);
  });
  events.addEventListener("open", () => void sync(id));
  events.addEventListener("entry", (/** @type {MessageEvent<string>} */ event) => {
    if (state.threadId !== id) return;
    state.liveEvents += 1;
    const entry = JSON.parse(event.data);
    addEntry(entry);
    if (entry.kind === "bot") {
      showLive(null);
      void refreshThreads();
    }
  });
  events.addEventListener("progress", (/** @type {MessageEvent<string>} */ event) => {
    if (state.threadId !== id) return;
    state.liveEvents += 1;
    showLive(JSON.parse(event.data));
  });
  return opened;
}

/**
 * Catches up with the server: entries not shown yet, and where the running turn is.
 * @param {string} id
 */
async function sync(id) {
  const seen = state.liveEvents;
  const data = await api.thread(id);
  if (state.threadId !== id) return;
  for (const entry of data.entries) addEntry(entry);
  if (state.liveEvents !== seen) return; // a live event arrived meanwhile and is newer than this answer
  if (data.status) showLive(data.status);
  else if (allAnswered(data.entries)) showLive(null);
}

/** @param {TranscriptEntry[]} entries */
function allAnswered(entries) {
  return entries.every((e) => e.kind !== "user" || state.answered.has(e.messageId) || isCommand(e.text));
}

/**
 * Commands whose own message gets no reply of its own ("retry" answers the failed message instead).
 * @param {string} text
 */
function isCommand(text) {
  return /^\/?(retry|try again)[.!?\s]*$/i.test(text.trim());
}

// ---------- the conversation ----------

/** @param {TranscriptEntry} entry */
function addEntry(entry) {
  if (state.rendered.has(entry.id)) return;
  state.rendered.add(entry.id);
  if (entry.kind === "bot") state.answered.add(entry.replyTo);
  $("empty-state").hidden = true;
  const near = isNearEnd();
  $("entries").append(renderEntry(entry, { onRetry: () => sendText("retry") }));
  if (near || entry.kind === "user") scrollToEnd();
}

/**
 * Shows where the running turn is, the code it runs and the answer as it streams; null hides it.
 * @param {LiveStatus | null} progress
 */
function showLive(progress) {
  const live = $("live");
  if (!progress) {
    live.hidden = true;
    $("live-code").hidden = true;
    $("draft").hidden = true;
    $("draft").replaceChildren();
    return;
  }
  const near = isNearEnd();
  live.hidden = false;
  $("status").textContent = describeProgress(progress);
  if (progress.code) {
    $("live-code").hidden = false;
    $("live-code-text").textContent = progress.code;
  }
  if (progress.stage === "answering") {
    $("draft").hidden = false;
    renderMarkdown($("draft"), progress.text);
  }
  if (near) scrollToEnd();
}

/**
 * Shows "waiting" for a message just sent, unless its answer or later progress already arrived.
 * @param {string} messageId
 */
function showWaiting(messageId) {
  if (state.answered.has(messageId) || !$("live").hidden) return;
  showLive({ stage: "queued", position: 0 });
}

function isNearEnd() {
  const box = $("messages");
  return box.scrollHeight - box.scrollTop - box.clientHeight < 120;
}

function scrollToEnd() {
  const box = $("messages");
  box.scrollTop = box.scrollHeight;
}

// ---------- sending ----------

/** @type {Promise<string> | null} */
let creatingThread = null;

/**
 * The open thread, created on first use; files dropped at once all land in the same new thread.
 * @returns {Promise<string>}
 */
async function ensureThread() {
  if (state.threadId) return state.threadId;
  creatingThread ??= (async () => {
    const { thread } = await api.createThread();
    state.threadId = thread.id;
    history.replaceState(null, "", `#/t/${thread.id}`);
    enableThreadButtons(true);
    await listen(thread.id);
    return thread.id;
  })().finally(() => (creatingThread = null));
  return creatingThread;
}

async function send() {
  if (state.sending) return;
  const text = $("composer-text").value;
  if (state.pending.some((p) => p.status === "uploading")) {
    setHint("Waiting for the files to finish uploading…");
    await Promise.all(state.pending.map((p) => p.done));
  }
  const ready = state.pending.flatMap((p) => (p.status === "ready" && p.upload ? [p.upload] : []));
  if (text.trim() === "" && ready.length === 0) {
    $("composer-text").focus();
    return;
  }
  state.sending = true;
  $("send").disabled = true;
  try {
    const id = await ensureThread();
    const { entry } = await api.send(id, {
      text,
      uploads: ready.map((upload) => upload.id),
      clientId: newClientId(),
    });
    addEntry(entry);
    showWaiting(entry.messageId);
    $("composer-text").value = "";
    autoSize();
    state.pending = state.pending.filter((p) => p.status === "uploading");
    renderPending();
    setHint();
    void refreshThreads();
  } catch (error) {
    setHint(/** @type {Error} */ (error).message, true);
  } finally {
    state.sending = false;
    $("send").disabled = false;
    $("composer-text").focus();
  }
}

/** @param {string} text */
async function sendText(text) {
  const id = state.threadId;
  if (!id) return;
  try {
    const { entry } = await api.send(id, { text, uploads: [], clientId: newClientId() });
    addEntry(entry);
    showWaiting(entry.messageId);
  } catch (error) {
    setHint(/** @type {Error} */ (error).message, true);
  }
}

/**
 * @param {string} [message] absent: the usual hint
 * @param {boolean} [isError]
 */
function setHint(message, isError = false) {
  const hint = $("composer-hint");
  hint.textContent = message ?? "Enter sends · Shift+Enter adds a line · “reset” starts over";
  if (isError) hint.setAttribute("role", "alert");
  else hint.removeAttribute("role");
  hint.style.color = isError ? "var(--error-text)" : "";
}

// ---------- files ----------

/** @param {FileList | File[]} files */
function attach(files) {
  for (const file of files) {
    /** @type {PendingFile} */
    const item = { key: newClientId(), file, name: file.name, status: "uploading" };
    const extension = file.name.includes(".")
      ? file.name.slice(file.name.lastIndexOf(".")).toLowerCase()
      : "";
    if (state.config.extensions.length > 0 && !state.config.extensions.includes(extension)) {
      item.status = "refused";
      item.message = `I can't use "${file.name}": this file type is not supported.`;
      item.done = Promise.resolve();
    } else if (file.size > state.config.maxFileBytes) {
      item.status = "refused";
      item.message = `I can't use "${file.name}": it is ${formatSize(file.size)}, over the ${formatSize(state.config.maxFileBytes)} limit.`;
      item.done = Promise.resolve();
    } else {
      // A file belongs to the chat it was dropped into; the chat is created if this is its first message.
      item.done = ensureThread()
        .then((threadId) => api.upload(threadId, file))
        .then((result) => {
          if (result.upload) {
            item.status = "ready";
            item.upload = result.upload;
          } else {
            item.status = "refused";
            item.message = result.refused;
          }
        })
        .catch((/** @type {Error} */ error) => {
          item.status = "refused";
          item.message = `I couldn't upload "${file.name}": ${error.message}`;
        })
        .finally(renderPending);
    }
    state.pending.push(item);
  }
  renderPending();
}

function renderPending() {
  $("attachments").replaceChildren(
    ...state.pending.map((item) =>
      h(
        "li",
        {
          class: `chip ${item.status === "refused" ? "refused" : `file ${item.status}`}`,
          "data-status": item.status,
        },
        item.status === "refused" ? h("span", { role: "alert" }, item.message) : item.name,
        item.status === "uploading" ? h("span", { class: "size" }, "uploading…") : null,
        item.status === "ready" ? h("span", { class: "size" }, formatSize(item.upload?.size)) : null,
        h(
          "button",
          {
            type: "button",
            "aria-label": `Remove ${item.name}`,
            onclick: () => {
              state.pending = state.pending.filter((p) => p !== item);
              renderPending();
            },
          },
          "×",
        ),
      ),
    ),
  );
}

function setUpDrop() {
  const overlay = $("drop-overlay");
  let depth = 0;
  const hasFiles = (/** @type {DragEvent} */ event) =>
    [...(event.dataTransfer?.types ?? [])].includes("Files");
  window.addEventListener("dragenter", (event) => {
    if (!hasFiles(event)) return;
    depth += 1;
    overlay.hidden = false;
  });
  window.addEventListener("dragleave", () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) overlay.hidden = true;
  });
  window.addEventListener("dragover", (event) => {
    if (hasFiles(event)) event.preventDefault();
  });
  window.addEventListener("drop", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth = 0;
    overlay.hidden = true;
    attach(event.dataTransfer?.files ?? []);
  });
}

// ---------- the page ----------

function autoSize() {
  const box = $("composer-text");
  box.style.height = "auto";
  box.style.height = `${Math.min(box.scrollHeight, window.innerHeight * 0.4)}px`;
}

function closeSidebar() {
  $("sidebar").classList.remove("open");
  $("toggle-sidebar").setAttribute("aria-expanded", "false");
}

async function main() {
  state.config = await api.config();
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    void send();
  });
  $("composer-text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      void send();
    }
  });
  $("composer-text").addEventListener("input", autoSize);
  $("attach").addEventListener("click", () => $("file-input").click());
  $("file-input").addEventListener("change", () => {
    attach($("file-input").files ?? []);
    $("file-input").value = "";
  });
  $("new-chat").addEventListener("click", () => {
    if (location.hash) location.hash = "";
    else void openThread(null);
    $("composer-text").focus();
  });
  $("reset-thread").addEventListener("click", () => {
    if (confirm("Start over in this chat? databot forgets the files and results so far."))
      void sendText("reset");
  });
  $("rename-thread").addEventListener("click", () => showRename(true));
  $("rename-form").addEventListener("submit", (event) => {
    event.preventDefault();
    void rename();
  });
  $("rename-input").addEventListener("keydown", (event) => {
    if (event.key === "Escape") showRename(false);
  });
  $("delete-thread").addEventListener("click", () => void deleteThread());
  $("toggle-sidebar").addEventListener("click", () => {
    const open = $("sidebar").classList.toggle("open");
    $("toggle-sidebar").setAttribute("aria-expanded", String(open));
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") closeSidebar();
  });
  window.addEventListener("hashchange", () => void openThread(threadFromLocation()));
  setUpDrop();
  await openThread(threadFromLocation());
  $("composer-text").focus();
}

main().catch((/** @type {Error} */ error) => setHint(`databot could not load: ${error.message}`, true));
