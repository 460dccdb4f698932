/**
 * A fake Bot Framework connector (the `serviceUrl` Teams puts on activities), speaking the v3 REST API:
 * `POST /v3/conversations/{id}/activities[/{activityId}]`, `PUT` and `DELETE` on an activity, answering
 * `{id}`. Like Teams it refuses a message over ~100 KB (inline base64 images not counted) with 413, runs
 * personal-chat streams (streaminfo entities: informative, streaming, final; each update must extend the
 * last), can refuse streaming with 403 `ContentStreamNotAllowed`, and can demand the bot's token (401).
 * It also serves pasted images under `/v3/attachments/{id}/views/original`, as Teams' attachment service does.
 */
import { EventEmitter } from "node:events";
import express from "express";
import type { Activity } from "botbuilder";
import { startFakeServer, type FakeServer } from "./http";

export const MESSAGE_LIMIT_BYTES = 100 * 1024;

export interface PostedActivity {
  id: string;
  method: "POST" | "PUT" | "DELETE";
  /** The conversation id the bot addressed (with `;messageid=` for a channel reply chain). */
  conversationId: string;
  replyToId?: string;
  activity: Partial<Activity>;
  authorization?: string;
}

interface Stream {
  id: string;
  sequence: number;
  text: string;
  finished: boolean;
}

export class FakeConnector {
  readonly posted: PostedActivity[] = [];
  /** Requests for pasted images, with the Authorization header they carried. */
  readonly attachmentRequests: { id: string; authorization?: string }[] = [];
  readonly streams = new Map<string, Stream>();
  /** Requests the fake refused, with the error it answered (what Teams would have said). */
  readonly refused: { activity: Partial<Activity>; status: number; code: string; message: string }[] = [];
  /** Set to make every stream request fail like Teams does where streaming is not allowed. */
  refuseStreaming = false;
  /** When set, every call must carry `Authorization: Bearer <one of these>`. */
  acceptedTokens?: () => string[];
  private readonly attachments = new Map<string, { contentType: string; data?: Buffer; redirect?: string }>();
  private readonly events = new EventEmitter();
  private server?: FakeServer;
  private nextId = 1;

  get url(): string {
    return this.server!.url;
  }

  /** What activities carry as `serviceUrl` (Teams' end with a slash). */
  get serviceUrl(): string {
    return `${this.url}/`;
  }

  async start(): Promise<this> {
    this.server = await startFakeServer((app) => {
      app.use("/v3", (req, res, next) => {
        if (!this.acceptedTokens) return next();
        const auth = req.headers.authorization ?? "";
        if (!this.acceptedTokens().some((t) => auth === `Bearer ${t}`)) {
          res.status(401).json({ message: "Authorization has been denied for this request." });
          return;
        }
        next();
      });
      app.get("/v3/attachments/:id/views/:view", (req, res) => {
        this.attachmentRequests.push({ id: req.params.id, authorization: req.headers.authorization });
        const attachment = this.attachments.get(req.params.id);
        if (!attachment) {
          res.status(404).json({ error: { code: "NotFound", message: "Attachment not found" } });
          return;
        }
        if (attachment.redirect) res.redirect(302, attachment.redirect);
        else res.type(attachment.contentType).send(attachment.data);
      });
      app.use("/v3/conversations", express.raw({ type: () => true, limit: "20mb" }));
      app.post("/v3/conversations/:conversationId/activities{/:activityId}", (req, res) => {
        this.onPost(
          req.params.conversationId,
          req.params.activityId,
          req.body as Buffer,
          req.headers.authorization,
          res,
        );
      });
      app.put("/v3/conversations/:conversationId/activities/:activityId", (req, res) => {
        const activity = JSON.parse((req.body as Buffer).toString("utf8")) as Partial<Activity>;
        const original = this.posted.find((p) => p.id === req.params.activityId && p.method === "POST");
        if (!original) {
          res.status(404).json({ error: { code: "NotFound", message: "The activity does not exist" } });
          return;
        }
        this.record({
          id: req.params.activityId,
          method: "PUT",
          conversationId: req.params.conversationId,
          activity,
          authorization: req.headers.authorization,
        });
        res.json({ id: req.params.activityId });
      });
      app.delete("/v3/conversations/:conversationId/activities/:activityId", (req, res) => {
        this.record({
          id: req.params.activityId,
          method: "DELETE",
          conversationId: req.params.conversationId,
          activity: {},
          authorization: req.headers.authorization,
        });
        res.status(200).end();
      });
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }

  /** Makes an image available as a pasted-image attachment; returns its `contentUrl`. */
  addPastedImage(data: Buffer, contentType = "image/png"): string {
    const id = `0-wus-d1-${this.nextId++}`;
    this.attachments.set(id, { contentType, data });
    return `${this.url}/v3/attachments/${id}/views/original`;
  }

  /** An attachment URL on the connector that redirects elsewhere (as a storage front end might). */
  addRedirectingAttachment(target: string, contentType = "image/png"): string {
    const id = `0-wus-d1-${this.nextId++}`;
    this.attachments.set(id, { contentType, redirect: target });
    return `${this.url}/v3/attachments/${id}/views/original`;
  }

  /** Messages (not typing) posted into a conversation, in order; a channel's chain is matched by its full id. */
  messages(conversationId?: string): PostedActivity[] {
    return this.posted.filter(
      (p) =>
        p.method === "POST" &&
        p.activity.type === "message" &&
        (!conversationId || p.conversationId === conversationId),
    );
  }

  /** Calls `listener` for every activity the bot posts from now on; returns a function that stops it. */
  onPosted(listener: (posted: PostedActivity) => void): () => void {
    this.events.on("activity", listener);
    return () => this.events.off("activity", listener);
  }

  /** Waits until `predicate` holds for what was posted so far. */
  waitFor<T>(predicate: (posted: PostedActivity[]) => T | undefined | false, timeoutMs = 15_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const result = predicate(this.posted);
        if (result) {
          this.events.off("posted", check);
          clearTimeout(timer);
          resolve(result);
        }
      };
      const timer = setTimeout(() => {
        this.events.off("posted", check);
        reject(new Error(`connector: condition not met; posted ${this.posted.length} activities`));
      }, timeoutMs);
      this.events.on("posted", check);
      check();
    });
  }

  private onPost(
    conversationId: string,
    replyToId: string | undefined,
    body: Buffer,
    authorization: string | undefined,
    res: express.Response,
  ): void {
    const activity = JSON.parse(body.toString("utf8")) as Partial<Activity>;
    const refuse = (status: number, code: string, message: string) => {
      this.refused.push({ activity, status, code, message });
      res.status(status).json({ error: { code, message } });
    };
    if (countedBytes(activity) > MESSAGE_LIMIT_BYTES)
      return refuse(413, "MessageSizeTooBig", "Message size too large");
    const streamInfo = streamInfoOf(activity);
    let id = String(this.nextId++);
    if (streamInfo) {
      if (this.refuseStreaming) {
        res
          .status(403)
          .json({ error: { code: "ContentStreamNotAllowed", message: "Content stream is not allowed" } });
        return;
      }
      const problem = this.advanceStream(activity, streamInfo);
      if (problem) {
        res.status(problem.status).json({ error: { code: problem.code, message: problem.message } });
        return;
      }
      if (streamInfo.streamId) id = streamInfo.streamId;
      else {
        const text = streamInfo.streamType === "streaming" ? (activity.text ?? "") : "";
        this.streams.set(id, { id, sequence: streamInfo.streamSequence ?? 1, text, finished: false });
      }
    }
    this.record({ id, method: "POST", conversationId, replyToId, activity, authorization });
    res.status(201).json({ id });
  }

  /** Applies Teams' streaming rules; returns the error Teams would give, if any. */
  private advanceStream(
    activity: Partial<Activity>,
    info: { streamId?: string; streamType?: string; streamSequence?: number },
  ): { status: number; code: string; message: string } | undefined {
    if (!info.streamId) {
      if (info.streamType === "final")
        return { status: 400, code: "BadArgument", message: "A final message needs a streamId" };
      return undefined;
    }
    const stream = this.streams.get(info.streamId);
    if (!stream) return { status: 400, code: "BadArgument", message: "Unknown streamId" };
    if (stream.finished) {
      return {
        status: 403,
        code: "ContentStreamNotAllowed",
        message: "Content stream is not allowed on an already completed streamed message",
      };
    }
    if (info.streamType === "final") {
      stream.finished = true;
      return undefined;
    }
    if ((info.streamSequence ?? 0) <= stream.sequence) {
      return { status: 400, code: "BadArgument", message: "streamSequence must increase" };
    }
    stream.sequence = info.streamSequence!;
    if (info.streamType === "streaming") {
      const text = activity.text ?? "";
      if (!text.startsWith(stream.text)) {
        return {
          status: 403,
          code: "ContentStreamNotAllowed",
          message: "Request streamed content should contain the previously streamed content",
        };
      }
      stream.text = text;
    }
    return undefined;
  }

  private record(entry: PostedActivity): void {
    this.posted.push(entry);
    this.events.emit("activity", entry);
    this.events.emit("posted");
  }
}

/** The bytes Teams counts toward its message limit: the JSON without inline base64 images. */
export function countedBytes(activity: Partial<Activity>): number {
  let total = Buffer.byteLength(JSON.stringify(activity));
  for (const attachment of activity.attachments ?? []) {
    if (typeof attachment.contentUrl === "string" && attachment.contentUrl.startsWith("data:")) {
      total -= attachment.contentUrl.length;
    }
  }
  return total;
}

/**
 * The stream fields of an activity. Teams reads them from a `streaminfo` entity or from `channelData` (where
 * botbuilder-based bots send them, because botbuilder's serializer keeps only an entity's `type`).
 */
export function streamInfoOf(
  activity: Partial<Activity>,
): { streamId?: string; streamType?: string; streamSequence?: number } | undefined {
  const entity = (activity.entities ?? []).find((e) => e.type === "streaminfo") as
    Record<string, unknown> | undefined;
  const channelData = (activity.channelData ?? {}) as Record<string, unknown>;
  const merged = { ...pick(channelData), ...pick(entity ?? {}) };
  return entity || merged.streamType ? merged : undefined;
}

function pick(source: Record<string, unknown>) {
  const out: { streamId?: string; streamType?: string; streamSequence?: number } = {};
  if (typeof source.streamId === "string") out.streamId = source.streamId;
  if (typeof source.streamType === "string") out.streamType = source.streamType;
  if (typeof source.streamSequence === "number") out.streamSequence = source.streamSequence;
  return out;
}
