// The files attached in the message box: each is checked against the chat's limits, uploaded into its chat at
// once (the chat is created if this is its first message), and shown as a chip until the message is sent.
import { api, newClientId } from "./api.js";
import { formatSize, h } from "./render.js";

/** @import { StoredUpload, WebConfig } from "./web-api" */

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

export class Attachments {
  /**
   * @param {{ list: HTMLElement; limits: () => WebConfig; thread: () => Promise<string> }} options the chip list,
   *   the chat's limits, and the chat the files go to
   */
  constructor(options) {
    this.options = options;
    /** @type {PendingFile[]} */
    this.items = [];
  }

  /** @param {FileList | File[]} files */
  attach(files) {
    const limits = this.options.limits();
    for (const file of files) {
      /** @type {PendingFile} */
      const item = { key: newClientId(), file, name: file.name, status: "uploading" };
      const extension = file.name.includes(".")
        ? file.name.slice(file.name.lastIndexOf(".")).toLowerCase()
        : "";
      if (limits.extensions.length > 0 && !limits.extensions.includes(extension)) {
        item.status = "refused";
        item.message = `I can't use "${file.name}": this file type is not supported.`;
        item.done = Promise.resolve();
      } else if (file.size > limits.maxFileBytes) {
        item.status = "refused";
        item.message = `I can't use "${file.name}": it is ${formatSize(file.size)}, over the ${formatSize(limits.maxFileBytes)} limit.`;
        item.done = Promise.resolve();
      } else {
        item.done = this.options
          .thread()
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
          .finally(() => this.render());
      }
      this.items.push(item);
    }
    this.render();
  }

  /** Forgets every file (another chat was opened). */
  clear() {
    this.items = [];
    this.render();
  }

  /** After sending: only files still uploading stay in the box. */
  keepUploading() {
    this.items = this.items.filter((p) => p.status === "uploading");
    this.render();
  }

  render() {
    this.options.list.replaceChildren(
      ...this.items.map((item) =>
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
                this.items = this.items.filter((p) => p !== item);
                this.render();
              },
            },
            "×",
          ),
        ),
      ),
    );
  }
}

/**
 * Files dropped anywhere on the page are attached; the overlay shows while files are dragged over it.
 * @param {HTMLElement} overlay
 * @param {(files: FileList | File[]) => void} onDrop
 */
export function setUpDrop(overlay, onDrop) {
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
    onDrop(event.dataTransfer?.files ?? []);
  });
}
