/**
 * A chat surface as the core sees it once databot counts what it posts: replies by kind, the bytes of their
 * text, charts and files (files are counted as the platform reads them, never held), and replies the platform
 * did not take. Everything else passes through unchanged.
 */
import type { ChatSurface, LiveAnswer, PostedReply, TurnView } from "../../core/ports";
import type { Reply } from "../../core/types";
import { countBytes } from "./counting-stream";
import type { DatabotMetrics } from "./metrics";

export function observedSurface(surface: ChatSurface, metrics: DatabotMetrics): ChatSurface {
  const platform = surface.platform;
  return {
    platform,
    openTurn: (message) => observedView(surface.openTurn(message), platform, metrics),
    announceQueued: surface.announceQueued
      ? (message, position, reason) => surface.announceQueued!(message, position, reason)
      : undefined,
    openAttachment: (message, attachment) => surface.openAttachment(message, attachment),
  };
}

function observedView(view: TurnView, platform: string, metrics: DatabotMetrics): TurnView {
  const post =
    (
      kind: "answer" | "error",
      send: (reply: Reply, live: LiveAnswer | undefined) => Promise<PostedReply | void>,
    ) =>
    async (reply: Reply, live: LiveAnswer | undefined) => {
      let posted: PostedReply | void;
      try {
        posted = await send(counted(reply, platform, metrics), live);
      } catch (error) {
        metrics.postFailures.inc({ platform });
        throw error;
      }
      metrics.repliesPosted.inc({ platform, kind });
      const text = Buffer.byteLength(reply.text) + Buffer.byteLength(reply.error?.message ?? "");
      metrics.bytesPosted.inc({ platform, kind: "text" }, text);
      const images = reply.images.reduce((sum, image) => sum + image.data.length, 0);
      if (images > 0) metrics.bytesPosted.inc({ platform, kind: "image" }, images);
      return posted;
    };
  return {
    pacing: view.pacing,
    status: view.status?.bind(view),
    stream: view.stream,
    draft: view.draft,
    finish: post("answer", view.finish.bind(view)),
    fail: post("error", view.fail.bind(view)),
    abandon: view.abandon?.bind(view),
  };
}

/** The reply with each file counted as the platform reads it. */
function counted(reply: Reply, platform: string, metrics: DatabotMetrics): Reply {
  if (reply.files.length === 0) return reply;
  return {
    ...reply,
    files: reply.files.map((file) => ({
      ...file,
      open: async () =>
        countBytes(await file.open(), (n) => metrics.bytesPosted.inc({ platform, kind: "file" }, n)),
    })),
  };
}
