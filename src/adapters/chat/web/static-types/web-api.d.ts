/**
 * The JSON the browser chat gets from databot's web API (`/web/api`), as the client in ../static is type-checked
 * against it. The server's own types (../transcript.ts, ../live-events.ts) need Node's, so the browser's view is
 * written out here; test/web-client-types.test.ts keeps the two in step.
 */

export interface WebConfig {
  maxFileBytes: number;
  /** Lower-case, with the dot (".csv"). */
  extensions: string[];
}

export interface ThreadMeta {
  id: string;
  title: string;
  createdAt: string;
  updatedAt: string;
}

export interface UserEntry {
  kind: "user";
  id: string;
  messageId: string;
  text: string;
  attachments: { name: string; size?: number }[];
  at: string;
}

export interface BotEntry {
  kind: "bot";
  id: string;
  /** The message this answers. */
  replyTo: string;
  text: string;
  images: { name: string; alt: string; url?: string }[];
  files: { name: string; mimeType: string; size: number; url?: string }[];
  code: { language: "python"; code: string; output?: string }[];
  notices: { kind: string; file?: string; message: string }[];
  error?: { code: string; message: string; retryable: boolean };
  at: string;
}

export type TranscriptEntry = UserEntry | BotEntry;

/** Where a thread's running turn is: a progress stage and its fields, the message it answers, and its code. */
export type LiveStatus = { messageId?: string; code?: string } & (
  | { stage: "queued"; position: number }
  | { stage: "receiving_files"; files: string[] }
  | { stage: "thinking" }
  | { stage: "running_code"; code: string }
  | { stage: "answering"; text: string }
  | { stage: "posting" }
);

/** A file stored in a thread, waiting to be sent with a message. */
export interface StoredUpload {
  id: string;
  name: string;
  size: number;
}

/** The answer to an upload: the stored files and, for refused ones, why. */
export interface UploadAnswer {
  uploads?: StoredUpload[];
  refused?: { name: string; message: string }[];
  error?: string;
}
