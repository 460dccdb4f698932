// The databot web chat: threads in the sidebar, the conversation, the message box with file drop, and live
// progress over Server-Sent Events. The open thread is kept in the address (#/t/<id>), so a reload shows it.
import { api, ApiError, newClientId } from "./api.js";
import { Attachments, setUpDrop } from "./attachments.js";
import { $ } from "./dom.js";
import { createThreadList } from "./thread-list.js";
import { describeProgress, renderEntry, renderMarkdown } from "./render.js";

/** @import { LiveStatus, TranscriptEntry, WebConfig } from "./web-api" */

/**
 * @type {{
 *   config: WebConfig;
 *   threadId: string | null;
 *   rendered: Set<string>;
 *   answered: Set<string>;
 *   pending: Attachments;
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
  pending: new Attachments({
    list: $("attachments"),
    limits: () => state.config,
    thread: () => ensureThread(),
  }),
  events: null,
  sending: false,
  /** Counts live events, so a catch-up answer that is older than one of them does not undo it. */
  liveEvents: 0,
};

const threads = createThreadList({
  current: () => state.threadId,
  openThread: (id) => openThread(id),
  setHint: (message, isError) => setHint(message, isError),
});

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
    state.pending.clear();
  }
  state.threadId = id;
  state.rendered.clear();
  state.answered.clear();
  $("entries").replaceChildren();
  showLive(null);
  closeSidebar();
  threads.enableButtons(Boolean(id));
  threads.showRename(false);
  if (!id) {
    threads.setTitle("New chat");
    $("empty-state").hidden = false;
    await threads.refresh();
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
  threads.setTitle(data.thread.title);
  for (const entry of data.entries) addEntry(entry);
  $("empty-state").hidden = data.entries.length > 0;
  if (data.status) showLive(data.status);
  listen(id);
  await threads.refresh();
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
      void threads.refresh();
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
    threads.enableButtons(true);
    await listen(thread.id);
    return thread.id;
  })().finally(() => (creatingThread = null));
  return creatingThread;
}

async function send() {
  if (state.sending) return;
  const text = $("composer-text").value;
  if (state.pending.items.some((p) => p.status === "uploading")) {
    setHint("Waiting for the files to finish uploading…");
    await Promise.all(state.pending.items.map((p) => p.done));
  }
  const ready = state.pending.items.flatMap((p) => (p.status === "ready" && p.upload ? [p.upload] : []));
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
    state.pending.keepUploading();
    setHint();
    void threads.refresh();
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
    state.pending.attach($("file-input").files ?? []);
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
  $("rename-thread").addEventListener("click", () => threads.showRename(true));
  $("rename-form").addEventListener("submit", (event) => {
    event.preventDefault();
    void threads.rename();
  });
  $("rename-input").addEventListener("keydown", (event) => {
    if (event.key === "Escape") threads.showRename(false);
  });
  $("delete-thread").addEventListener("click", () => void threads.remove());
  $("toggle-sidebar").addEventListener("click", () => {
    const open = $("sidebar").classList.toggle("open");
    $("toggle-sidebar").setAttribute("aria-expanded", String(open));
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") closeSidebar();
  });
  window.addEventListener("hashchange", () => void openThread(threadFromLocation()));
  setUpDrop($("drop-overlay"), (files) => state.pending.attach(files));
  await openThread(threadFromLocation());
  $("composer-text").focus();
}

main().catch((/** @type {Error} */ error) => setHint(`databot could not load: ${error.message}`, true));
