/**
 * The Teams chat surface the core answers through: posts replies into the conversation (or reply chain) a
 * message came from, shows progress, and opens shared files with the credential each kind of file needs.
 */
import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import type { Activity } from "botbuilder";
import { FileRefusedError, type FilePolicy } from "../../../core/files/file-policy";
import type { ChatSurface, KeyValueSpace, QueueReason, TurnView } from "../../../core/ports";
import type { AttachmentMeta, InboundMessage, JsonValue, Reply } from "../../../core/types";
import type { Logger } from "../../../core/logger";
import type { BotAuth } from "./auth";
import type { FileDelivery } from "./file-delivery";
import { openSharedFile, type GraphClient } from "./graph-client";
import { fitForTeams } from "./images";
import { teamsContextOf, type TeamsContext } from "./normalize";
import { queuedText, streamFields, TeamsIndicator, type StreamState } from "./progress";
import { answerActivities } from "./reply-activities";
import { hostOf, unavailable, type TeamsFetcher } from "./scoped-fetch";
import { statusOf, type TeamsSender } from "./sender";

export const GRAPH_NOT_CONFIGURED =
  "I can't open files shared in channels or group chats, because Microsoft Graph access isn't set up for databot. " +
  "Share the file with me in a 1:1 chat instead, or ask your Teams admin to enable Graph access for databot.";

export interface TeamsSurfaceDeps {
  sender: TeamsSender;
  /** Stream answers into personal chats as they are written. */
  streaming: boolean;
  files: FileDelivery;
  auth: BotAuth;
  graph?: GraphClient;
  /** "Show code" records, by the key the button carries. */
  codes: KeyValueSpace;
  /** How long a "Show code" record is kept (`RETENTION_DAYS`). */
  codeTtlMs: number;
  logger: Logger;
  fetcher: TeamsFetcher;
  filePolicy: FilePolicy;
}

interface AttachmentRef {
  kind?: string;
  url?: string;
  serviceUrl?: string;
}

export class TeamsSurface implements ChatSurface {
  readonly platform = "teams" as const;

  constructor(private readonly deps: TeamsSurfaceDeps) {}

  openTurn(message: InboundMessage): TurnView {
    const context = teamsContextOf(message);
    const indicator = new TeamsIndicator(
      this.deps.sender,
      context.reference,
      this.deps.streaming && context.scope === "personal",
      this.deps.logger,
    );
    const post = (reply: Reply) => this.postReply(message, reply, indicator.end());
    return {
      pacing: indicator.pacing,
      status: (status) => indicator.status(status),
      stream: indicator.stream,
      finish: post,
      fail: post,
      abandon: async () => void indicator.end(),
    };
  }

  /**
   * A short message in the chat (or the channel's reply chain) saying where the question stands: it has no turn
   * yet, so no stream or typing indicator to show it in.
   */
  async announceQueued(message: InboundMessage, position: number, reason?: QueueReason): Promise<void> {
    const { reference } = teamsContextOf(message);
    await this.deps.sender.send(reference, [
      { type: "message", text: `_${queuedText(position, reason)}_`, textFormat: "markdown" },
    ]);
  }

  private async postReply(
    message: InboundMessage,
    reply: Reply,
    stream: StreamState | undefined,
  ): Promise<void> {
    const context = teamsContextOf(message);
    const images = await Promise.all(reply.images.map((image) => fitForTeams(image)));
    let showCodeKey: string | undefined;
    if (reply.code.length > 0) {
      showCodeKey = randomUUID();
      await this.deps.codes.put(showCodeKey, reply.code as unknown as JsonValue, this.deps.codeTtlMs);
    }
    const activities = answerActivities({
      reply,
      images,
      extraNotices: context.fileNotices ?? [],
      showCodeKey,
    });
    await this.sendAnswer(context, activities, stream);
    await this.deps.files.deliver(context.reference, context, reply.files);
  }

  async openAttachment(message: InboundMessage, attachment: AttachmentMeta): Promise<Readable> {
    // Nothing the file policy refuses is ever downloaded, whoever asks.
    const verdict = this.deps.filePolicy.precheck(attachment);
    if (!verdict.ok) throw new FileRefusedError(attachment.name, verdict.reason);
    const ref = attachment.ref as AttachmentRef;
    const context = teamsContextOf(message);
    const url = typeof ref.url === "string" ? ref.url : "";
    switch (ref.kind) {
      case "download":
        // Teams' download links are pre-authorized: no credential goes with them.
        return this.deps.fetcher.download(url, { fileName: attachment.name });
      case "connector": {
        if (!ref.serviceUrl || hostOf(url) !== hostOf(ref.serviceUrl)) {
          throw unavailable(
            attachment.name,
            "it is stored outside Teams' attachment service, where databot does not send its credentials; attach it as a file instead",
          );
        }
        const token = await this.deps.auth.botToken();
        // The service host is the activity's own (its JWT names it), so it may serve this download.
        return this.deps.fetcher.download(url, {
          token,
          tokenHost: hostOf(ref.serviceUrl),
          alsoHosts: [new URL(ref.serviceUrl).hostname.toLowerCase()],
          fileName: attachment.name,
        });
      }
      case "graph-share":
        if (!this.deps.graph) throw unavailable(attachment.name, GRAPH_NOT_CONFIGURED);
        return openSharedFile(this.deps.graph, { name: attachment.name, contentUrl: url }, context.tenantId);
      default:
        throw unavailable(attachment.name, "databot does not know how to fetch this kind of attachment");
    }
  }

  /** Sends the answer; the first message finishes a live stream, or replaces one that can no longer be finished. */
  private async sendAnswer(
    context: TeamsContext,
    activities: Partial<Activity>[],
    stream: StreamState | undefined,
  ): Promise<void> {
    const [first, ...rest] = activities;
    await this.deps.sender.inConversation(context.reference, async (turn) => {
      if (stream && !stream.expired) {
        const final: Partial<Activity> = {
          ...first,
          ...streamFields({ streamType: "final", streamId: stream.streamId }),
        };
        try {
          await turn.sendActivity(final);
        } catch (error) {
          this.deps.logger.info(
            { status: statusOf(error) },
            "Teams refused to finish the stream; sending the answer",
          );
          await this.replaceStream(turn, first!, stream);
        }
      } else if (stream?.textStreamed) {
        await this.replaceStream(turn, first!, stream);
      } else {
        await turn.sendActivity(first!);
      }
      for (const activity of rest) await turn.sendActivity(activity);
    });
  }

  /** Puts the answer into the streamed message when Teams allows it, otherwise sends it as a new message. */
  private async replaceStream(
    turn: {
      updateActivity(a: Partial<Activity>): Promise<unknown>;
      sendActivity(a: Partial<Activity>): Promise<unknown>;
    },
    activity: Partial<Activity>,
    stream: StreamState,
  ): Promise<void> {
    if (stream.textStreamed) {
      try {
        await turn.updateActivity({ ...activity, id: stream.streamId });
        return;
      } catch (error) {
        this.deps.logger.debug({ status: statusOf(error) }, "could not update the streamed message");
      }
    }
    await turn.sendActivity(activity);
  }
}
