/**
 * Shares files into a thread as ONE message, the way `files.uploadV2` does: `files.getUploadURLExternal` per
 * file, the bytes POSTed to each upload URL, then a single `files.completeUploadExternal` that shares them all
 * with the message text. Unlike the SDK helper it streams each file (generated outputs can be large) and sends
 * no token to the upload URL, which is pre-authorized.
 */
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { WebClient } from "@slack/web-api";
import type { SlackBlock } from "./blocks";

/** An upload that sends or receives nothing for this long is abandoned. */
const UPLOAD_IDLE_TIMEOUT_MS = 120_000;

/** A file to share: PNG charts arrive as bytes, generated files as lazily opened streams. */
export interface UploadItem {
  name: string;
  title?: string;
  /** Alt text for images, read by screen readers. */
  altText?: string;
  /** Shows the file as a code snippet with this syntax (e.g. "python"). */
  snippetType?: string;
  data?: Buffer;
  size?: number;
  open?: () => Promise<Readable>;
}

export interface ShareRequest {
  channel: string;
  threadTs: string;
  items: UploadItem[];
  /** The message around the files; Slack ignores `blocks` when `initialComment` is given. */
  blocks?: SlackBlock[];
  initialComment?: string;
}

/** Uploads every item and shares them in one message; resolves with the Slack file ids. */
export async function shareFilesInThread(api: WebClient, request: ShareRequest): Promise<string[]> {
  const prepared = await Promise.all(request.items.map(prepare));
  try {
    const ids = await Promise.all(
      prepared.map(async (item) => {
        const target = await api.files.getUploadURLExternal({
          filename: item.name,
          length: item.length,
          ...(item.altText ? { alt_text: item.altText } : {}),
          ...(item.snippetType ? { snippet_type: item.snippetType } : {}),
        });
        if (!target.upload_url || !target.file_id) throw new Error("Slack gave no upload URL");
        await postBytes(target.upload_url, await item.body(), item.length);
        return { id: target.file_id, title: item.title ?? item.name };
      }),
    );
    const [first, ...others] = ids;
    if (!first) return [];
    await api.files.completeUploadExternal({
      files: [first, ...others],
      channel_id: request.channel,
      thread_ts: request.threadTs,
      ...(request.initialComment !== undefined ? { initial_comment: request.initialComment } : {}),
      ...(request.blocks?.length && request.initialComment === undefined ? { blocks: request.blocks } : {}),
    });
    return ids.map((i) => i.id);
  } finally {
    await Promise.all(prepared.map((p) => p.cleanup()));
  }
}

interface PreparedItem extends UploadItem {
  length: number;
  body(): Promise<Readable | Buffer>;
  cleanup(): Promise<void>;
}

/** Slack needs each file's length before the bytes: a stream of unknown size is spooled to disk first. */
async function prepare(item: UploadItem): Promise<PreparedItem> {
  const nothing = async () => undefined;
  if (item.data) return { ...item, length: item.data.length, body: async () => item.data!, cleanup: nothing };
  if (!item.open) throw new Error(`Nothing to upload for ${item.name}`);
  if (item.size !== undefined) return { ...item, length: item.size, body: item.open, cleanup: nothing };
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "databot-slack-upload-"));
  const file = path.join(dir, "data");
  try {
    await pipeline(await item.open(), fs.createWriteStream(file));
  } catch (error) {
    await fs.promises.rm(dir, { recursive: true, force: true });
    throw error;
  }
  const { size } = await fs.promises.stat(file);
  return {
    ...item,
    length: size,
    body: async () => fs.createReadStream(file),
    cleanup: () => fs.promises.rm(dir, { recursive: true, force: true }),
  };
}

/**
 * POSTs the bytes with their length. Node's http is used rather than fetch: fetch cannot send a stream with a
 * declared length, and a pre-authorized upload URL may not accept chunked bodies.
 */
function postBytes(url: string, body: Readable | Buffer, length: number): Promise<void> {
  const target = new URL(url);
  const transport = target.protocol === "https:" ? https : http;
  return new Promise<void>((resolve, reject) => {
    const request = transport.request(
      target,
      {
        method: "POST",
        headers: { "Content-Type": "application/octet-stream", "Content-Length": length },
        timeout: UPLOAD_IDLE_TIMEOUT_MS,
      },
      (response) => {
        response.resume();
        response.on("error", reject);
        response.on("end", () => {
          if (response.statusCode === 200) resolve();
          else reject(new Error(`Slack's upload service answered ${response.statusCode}`));
        });
      },
    );
    request.on("error", reject);
    request.on("timeout", () => request.destroy(new Error("the upload to Slack stalled")));
    if (Buffer.isBuffer(body)) request.end(body);
    else pipeline(body, request).catch(reject);
  });
}
