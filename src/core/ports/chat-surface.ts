import type { Readable } from "node:stream";
import type { AttachmentMeta, InboundMessage, JsonObject, Progress, Reply } from "../types";

/**
 * A chat surface: Slack, Teams, the web chat, the CLI — or any platform that registers a thread-id prefix. The
 * core answers a message by opening a {@link TurnView} in its thread and driving it for the whole turn; the
 * message's `context` holds what the adapter stored to reach that thread again.
 *
 * @example
 * ```ts
 * const surface: ChatSurface = {
 *   platform: "console",
 *   openTurn: () => ({ finish: async (reply) => console.log(reply.text), fail: async (r) => console.error(r.error) }),
 *   async openAttachment(message, attachment) { return fs.createReadStream(String(attachment.ref.path)); },
 * };
 * ```
 */
export interface ChatSurface {
  /** The thread-id prefix this surface answers (`slack`, `teams`, …): `<platform>:<parts>` (see thread-id.ts). */
  readonly platform: string;

  /**
   * Opens the view of one turn in the thread `message` came from. The core owns it for the turn's life: it
   * shows progress and the answer so far through it — paced by the core, one call at a time — then calls
   * exactly one of `finish`, `fail` or `abandon`.
   */
  openTurn(message: InboundMessage): TurnView;

  /**
   * Tells the thread that `message` waits behind `position` earlier questions (best effort). Called when it
   * arrives, before any turn of it runs, so it has no view; and, with `reason` "sessions", when the question
   * waits for a session slot, `position` being its place in the workspace's line.
   */
  announceQueued?(message: InboundMessage, position: number, reason?: QueueReason): Promise<void>;

  /**
   * Opens a readable stream of an attachment's bytes, rebuilt from its serialisable metadata — possibly after a
   * restart. Throws a `DatabotError` with code `attachment_unavailable` and a user-facing reason (expired link,
   * missing permission) when the file cannot be read.
   */
  openAttachment(message: InboundMessage, attachment: AttachmentMeta): Promise<Readable>;
}

/**
 * Why a question waits: behind earlier questions of its thread (the default), or in its workspace's line for a
 * code-interpreter session slot (`MAX_ACTIVE_SESSIONS`), `position` then being its place in that line.
 */
export type QueueReason = "thread" | "sessions";

/** What a thread shows while a turn works; the answer text itself goes through a {@link LiveChannel}. */
export type TurnStatus = Exclude<Progress, { stage: "answering" }>;

/**
 * One turn's presence in its thread. An adapter implements what its platform does natively — a status line, a
 * native stream, a message it can edit — and the core does the rest: pacing, keeping only the newest update,
 * falling back from a stream to post-then-edit, and remembering the live message across a restart. Every
 * optional member may be left out.
 */
export interface TurnView {
  /** How fast this platform may be written to (defaults: as fast as updates come). */
  readonly pacing?: Partial<Pacing>;

  /** Shows where the turn is (a status line, a typing indicator). Best effort: a failure is logged, nothing more. */
  status?(status: TurnStatus): Promise<void>;

  /** The answer text as it is written, through the platform's native streaming. */
  readonly stream?: LiveChannel;

  /** The answer text as it is written, as a message posted once and then edited: the fallback for a stream. */
  readonly draft?: LiveChannel;

  /**
   * Posts the reply. `live` is the answer text the thread already shows, if any, so it can be finished in place.
   * Throwing means the reply was not posted (the turn fails without posting again). May return the platform's
   * ids of what it posted; the turn records them before it is marked done.
   */
  finish(reply: Reply, live: LiveAnswer | undefined): Promise<PostedReply | void>;

  /** Posts a failed turn's reply (`reply.error` is set), ending the live answer as it stands. */
  fail(reply: Reply, live: LiveAnswer | undefined): Promise<PostedReply | void>;

  /** The turn stops here without a reply (shutdown, or another worker took it over): stop showing progress. */
  abandon?(): Promise<void>;
}

/** What a view posted, as the platform names it (Slack message timestamps, Teams activity ids). */
export interface PostedReply {
  ids: string[];
}

/** A way to show the answer text while it is still being written. */
export interface LiveChannel {
  /**
   * The agent's Markdown as this platform shows it, cut to at most `maxChars` on a clean boundary. The core
   * compares what it renders, so an appending platform gets only what was added.
   */
  render(markdown: string, maxChars: number): string;

  /**
   * Shows the first text. Returns a serialisable handle that reaches the message again (the core keeps it with
   * the turn, also across a restart), or undefined when this channel is not available here — the core then
   * tries the draft. Throws when it failed for now; the core tries again at the next write.
   */
  open(text: string): Promise<JsonObject | undefined>;

  /**
   * Shows `text`, the whole rendered text so far; `added` is what it adds to the text shown before (what an
   * appending platform sends). Returns false when the platform has ended the live message (a stream past its
   * lifetime): the core then closes it and carries on with the draft on the same handle, if there is one.
   */
  update(handle: JsonObject, text: string, added: string): Promise<boolean>;

  /** Ends the live message where the platform needs that before it can be edited. */
  close?(handle: JsonObject): Promise<void>;
}

/** The live answer a thread shows. */
export interface LiveAnswer {
  channel: "stream" | "draft";
  handle: JsonObject;
  /** The rendered text shown; undefined after a restart, when what the thread shows is not known exactly. */
  shown?: string;
  /** When the live message was opened (ms since the epoch). */
  openedAt: number;
}

/** How the core paces one view. */
export interface Pacing {
  /** The first status waits this long: a question answered sooner shows none. */
  firstStatusDelayMs: number;
  /** Least time between two statuses. */
  statusIntervalMs: number;
  /** The answer text is shown live only once it has been written for this long (a quick answer arrives whole). */
  liveAfterMs: number;
  /** Least time between two writes of the live answer. */
  liveIntervalMs: number;
  /** Least time between any two writes (platforms that count statuses and text together). */
  anyIntervalMs: number;
  /** A native stream older than this is closed; the text continues through the draft, if any. */
  streamMaxAgeMs: number;
  /** The live answer shows at most this many characters; the rest comes with the reply. */
  maxLiveChars: number;
}
