// The page's elements by id, typed for the few the client uses as more than an HTMLElement.

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
export const $ = (id) =>
  /** @type {Id extends keyof TypedElements ? TypedElements[Id] : HTMLElement} */ (
    /** @type {unknown} */ (document.getElementById(id))
  );
