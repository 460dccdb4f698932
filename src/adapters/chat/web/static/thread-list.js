// The sidebar's list of chats and the open chat's title, with Rename and Delete.
import { api, ApiError } from "./api.js";
import { $ } from "./dom.js";
import { formatTime, h } from "./render.js";

/**
 * @param {{
 *   current: () => string | null;
 *   openThread: (id: string | null) => Promise<void>;
 *   setHint: (message: string, isError?: boolean) => void;
 * }} options the open chat, how to open another, and where to say what went wrong
 */
export function createThreadList(options) {
  async function refresh() {
    const { threads } = await api.threads();
    const list = $("thread-list");
    list.replaceChildren(
      ...threads.map((thread) =>
        h(
          "li",
          {},
          h(
            "a",
            {
              href: `#/t/${thread.id}`,
              "aria-current": thread.id === options.current() ? "page" : undefined,
            },
            h("span", { class: "title" }, thread.title),
            h("time", { datetime: thread.updatedAt }, formatTime(thread.updatedAt)),
          ),
        ),
      ),
    );
    $("thread-list-empty").hidden = threads.length > 0;
    const current = threads.find((t) => t.id === options.current());
    if (current) setTitle(current.title);
  }

  /** @param {boolean} enabled whether a thread is open for Rename, Reset and Delete */
  function enableButtons(enabled) {
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
    const id = options.current();
    const title = $("rename-input").value.trim();
    if (!id || !title) return;
    try {
      const { thread } = await api.renameThread(id, title);
      setTitle(thread.title);
      showRename(false);
      await refresh();
    } catch (error) {
      options.setHint(`The chat could not be renamed: ${/** @type {Error} */ (error).message}`, true);
    }
  }

  async function remove() {
    const id = options.current();
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
        options.setHint(`The chat could not be deleted: ${/** @type {Error} */ (error).message}`, true);
        return;
      }
    }
    if (location.hash) location.hash = "";
    else await options.openThread(null);
  }

  /** @param {string} title */
  function setTitle(title) {
    $("chat-title").textContent = title;
    document.title = `${title} · databot`;
  }

  return { refresh, enableButtons, showRename, rename, remove, setTitle };
}
