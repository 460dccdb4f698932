/**
 * The platform-neutral vocabulary of databot. Nothing here knows Slack, Teams or Azure: adapters translate
 * their payloads into these shapes at the edge.
 */
import type { Readable } from "node:stream";

/**
 * The thread-id prefix of a chat surface (`slack`, `teams`, `web`, `cli`, or whatever a new surface registers):
 * lower-case letters, digits and dashes. The core keeps no list of them; each surface names its own.
 */
export type Platform = string;

/** A JSON value, so everything that crosses the inbox can be stored and rebuilt after a restart. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * A file someone shared, as serialisable metadata. The bytes are never held: the surface that received the
 * message rebuilds a stream from `ref` with {@link ChatSurface.openAttachment}, even after a restart.
 */
export interface AttachmentMeta {
  /** The file name as the person shared it (not yet validated: see the file policy). */
  name: string;
  /** The MIME type the platform declared, if any. */
  mimeType?: string;
  /** The size the platform declared, in bytes, if any. */
  size?: number;
  /** What the adapter needs to fetch the bytes later (URLs, ids). Never a token. */
  ref: JsonObject;
}

/** Who wrote a message. */
export interface Author {
  id: string;
  name?: string;
}

/** A message someone sent databot, normalized by its adapter. */
export interface InboundMessage {
  /** Unique per platform message, e.g. `slack:T1:C1:1712345.000100`; the primary dedupe key. */
  id: string;
  platform: Platform;
  /** Opaque thread id (see `thread-id.ts`): follow-ups in the same chat thread carry the same value. */
  threadId: string;
  author: Author;
  /** The text with the bot's mentions removed. */
  text: string;
  attachments: AttachmentMeta[];
  /** ISO 8601 time the platform says the message was sent. */
  sentAt: string;
  /** Other keys the same message may arrive under (a Slack `event_id`, a twin event): all dedupe together. */
  alternateIds?: string[];
  /** Adapter data needed to answer later (a Teams conversation reference, Slack recipient ids). */
  context?: JsonObject;
  /**
   * Where the message came from, for usage records and session budgets: the Slack workspace or Teams tenant
   * (the one `ALLOWED_SLACK_TEAMS` / `ALLOWED_TEAMS_TENANTS` check) and the channel or chat. Ids only.
   */
  origin?: { workspace?: string; channel?: string };
}

/** A chart or picture in a reply. Charts are small, so the PNG bytes are held. */
export interface ReplyImage {
  name: string;
  /** PNG bytes. */
  data: Buffer;
  /** A short description for screen readers and notifications. */
  alt: string;
}

/** A file the analysis produced, opened lazily so large outputs stream from the backend to the chat. */
export interface ReplyFile {
  name: string;
  mimeType: string;
  size?: number;
  open(): Promise<Readable>;
}

/** Code the agent ran during a turn, for "Show code". */
export interface CodeRun {
  language: "python";
  code: string;
  /** What it printed, capped; absent when the backend does not report it. */
  output?: string;
}

/** Something the user should know that is not the answer itself, e.g. a file that was refused. */
export interface Notice {
  kind: "file_refused" | "session_restarted" | "info";
  /** The file it concerns, if any. */
  file?: string;
  /** One human sentence. */
  message: string;
}

/** What went wrong, in words for the person who asked. */
export interface ReplyError {
  code: string;
  /** One short human sentence with the reason. */
  message: string;
  /** True when asking again (or saying `retry`) may well work. */
  retryable: boolean;
}

/** Everything databot says back for one message. */
export interface Reply {
  /** The answer in Markdown (CommonMark with tables); surfaces convert it to their dialect. */
  text: string;
  images: ReplyImage[];
  files: ReplyFile[];
  code: CodeRun[];
  notices: Notice[];
  error?: ReplyError;
}

/** Where a turn is: surfaces show it as a status line, typing indicator or streamed text. */
export type Progress =
  | { stage: "queued"; position: number }
  | { stage: "receiving_files"; files: string[] }
  | { stage: "thinking" }
  | { stage: "running_code"; code: string }
  /** The answer text so far, for surfaces that stream it. */
  | { stage: "answering"; text: string }
  | { stage: "posting" };

/** An empty reply to fill in. */
export function emptyReply(): Reply {
  return { text: "", images: [], files: [], code: [], notices: [] };
}
