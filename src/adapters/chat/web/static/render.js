// Turns transcript entries into DOM. Answer text is Markdown, rendered by marked and sanitised by DOMPurify;
// everything else is set as text, never as HTML.
import { marked } from "./vendor/marked.esm.js";
import DOMPurify from "./vendor/purify.es.mjs";

/** @import { BotEntry, LiveStatus, TranscriptEntry } from "./web-api" */

// Raw HTML in an answer is shown as text, never rendered: "<measure>" in a help text stays visible, and no
// form or button can be injected through the model or the data.
marked.use({
  gfm: true,
  breaks: false,
  renderer: {
    html({ text }) {
      return escapeHtml(text);
    },
  },
});

/** What DOMPurify may keep of the rendered Markdown: text formatting, links, tables, code — nothing interactive. */
const PURIFY = {
  FORBID_TAGS: [
    "form",
    "input",
    "button",
    "textarea",
    "select",
    "option",
    "style",
    "iframe",
    "object",
    "embed",
  ],
  FORBID_ATTR: ["style", "action", "formaction"],
};

/** @param {string} text */
function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A" && node.getAttribute("href")) {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer");
  }
});

/** @typedef {Node | string | number | null | undefined | false} Child a node, text, or nothing */
/** @typedef {string | number | boolean | null | undefined | EventListener} Attribute a value, a flag or a listener */

/**
 * Creates an element with attributes and children (strings become text nodes).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, Attribute>} [attributes] `class`, `on<event>` listeners, and attributes
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") element.className = String(value);
    else if (name.startsWith("on"))
      element.addEventListener(name.slice(2), /** @type {EventListener} */ (value));
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/**
 * Renders Markdown into `element`, safely.
 * @param {HTMLElement} element
 * @param {string | undefined} text
 */
export function renderMarkdown(element, text) {
  element.innerHTML = DOMPurify.sanitize(marked.parse(text ?? "", { async: false }), PURIFY);
}

/** @param {number | null | undefined} bytes */
export function formatSize(bytes) {
  if (bytes === undefined || bytes === null) return "";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** @param {string} iso */
export function formatTime(iso) {
  const date = new Date(iso);
  const sameDay = date.toDateString() === new Date().toDateString();
  return sameDay
    ? date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
    : date.toLocaleDateString([], { month: "short", day: "numeric" });
}

/**
 * One code cell for "Show code": the code, then what it printed.
 * @param {BotEntry["code"][number]} run
 * @param {number} index
 * @param {number} count
 */
function codeBlock(run, index, count) {
  return h(
    "div",
    { class: "cell" },
    count > 1 ? h("h3", {}, `Cell ${index + 1}`) : null,
    h("pre", {}, h("code", {}, run.code)),
    run.output ? [h("h3", {}, "Output"), h("pre", { class: "output" }, run.output)] : null,
  );
}

/**
 * A transcript entry as a list item. `onRetry` is called when the person asks to retry a failed answer.
 * @param {TranscriptEntry} entry
 * @param {{ onRetry?: (entry: BotEntry) => void }} [options]
 */
export function renderEntry(entry, { onRetry } = {}) {
  if (entry.kind === "user") {
    return h(
      "li",
      { class: "entry entry-user", "data-entry": entry.id },
      h("p", { class: "visually-hidden" }, "You said:"),
      entry.text ? h("div", { class: "bubble user" }, entry.text) : null,
      entry.attachments.length > 0
        ? h(
            "ul",
            { class: "chips", "aria-label": "Attached files" },
            entry.attachments.map((a) =>
              h("li", { class: "chip file" }, a.name, h("span", { class: "size" }, formatSize(a.size))),
            ),
          )
        : null,
    );
  }
  const body = h("div", { class: "bubble bot" });
  body.append(h("p", { class: "who" }, "databot"));
  if (entry.text) {
    const text = h("div", { class: "markdown" });
    renderMarkdown(text, entry.text);
    body.append(text);
  }
  for (const notice of entry.notices ?? []) {
    body.append(h("p", { class: "notice", role: "note" }, notice.message));
  }
  if (entry.error) {
    body.append(
      h(
        "div",
        { class: "error", role: "alert" },
        h("span", {}, entry.error.message),
        entry.error.retryable && onRetry
          ? h("button", { type: "button", class: "button", onclick: () => onRetry(entry) }, "Retry")
          : null,
      ),
    );
  }
  if (entry.images?.length) {
    body.append(
      h(
        "div",
        { class: "figures" },
        entry.images.map((image) =>
          h(
            "figure",
            {},
            h(
              "a",
              { href: image.url, target: "_blank", rel: "noopener", title: "Open the full-size chart" },
              h("img", { src: image.url, alt: image.alt || image.name, loading: "lazy" }),
            ),
            image.alt ? h("figcaption", {}, image.alt) : null,
          ),
        ),
      ),
    );
  }
  if (entry.files?.length) {
    body.append(
      h(
        "ul",
        { class: "files", "aria-label": "Generated files" },
        entry.files.map((file) =>
          h(
            "li",
            {},
            h(
              "a",
              { href: file.url, download: file.name },
              h("span", { "aria-hidden": "true" }, "⬇"),
              h("span", {}, file.name),
              h("span", { class: "size" }, formatSize(file.size)),
            ),
          ),
        ),
      ),
    );
  }
  if (entry.code?.length) {
    const count = entry.code.length;
    body.append(
      h(
        "details",
        { class: "code" },
        h("summary", {}, count === 1 ? "Show code" : `Show code (${count} cells)`),
        entry.code.map((run, index) => codeBlock(run, index, count)),
      ),
    );
  }
  return h("li", { class: "entry entry-bot", "data-entry": entry.id }, body);
}

/**
 * What a progress stage says in the status line.
 * @param {LiveStatus} progress
 */
export function describeProgress(progress) {
  switch (progress.stage) {
    case "queued":
      return progress.position > 0
        ? `Waiting: ${progress.position} earlier message${progress.position === 1 ? "" : "s"} in this chat first…`
        : "Waiting to start…";
    case "receiving_files":
      return `Receiving ${progress.files.join(", ")}…`;
    case "thinking":
      return "Thinking…";
    case "running_code":
      return "Running code…";
    case "answering":
      return "Writing the answer…";
    case "posting":
      return "Posting the answer…";
    default:
      return "Working…";
  }
}
