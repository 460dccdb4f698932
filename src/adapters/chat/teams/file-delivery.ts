/**
 * Gets generated files to the people who asked:
 * - personal chat: a file consent card; on "Allow" the file is uploaded to the person's OneDrive and shown as a
 *   file card (Teams' own flow for bots);
 * - channels with Microsoft Graph: uploaded to the channel's Files folder and shown as a file card;
 * - otherwise: a signed download link served by databot, valid for a day (needs `PUBLIC_BASE_URL`).
 */
import { TurnContext, type Activity, type ConversationReference, type InvokeResponse } from "botbuilder";
import { asDatabotError } from "../../../core/errors";
import { formatBytes } from "../../../core/files/file-policy";
import type { Logger } from "../../../core/logger";
import type { ReplyFile } from "../../../core/types";
import { fileConsentCard, fileInfoCard, type ConsentContext } from "./cards";
import type { FileSpool, SpooledFile } from "./file-spool";
import type { GraphClient } from "./graph-client";
import type { TeamsContext } from "./normalize";
import type { TeamsSender } from "./sender";
import type { LinkSigner } from "./signed-links";
import { escapeTeamsText, teamsMarkdownName } from "./markdown";
import type { TeamsFetcher } from "./scoped-fetch";
import { uploadToSession } from "./upload-session";

export interface FileDeliveryDeps {
  sender: TeamsSender;
  spool: FileSpool;
  graph?: GraphClient;
  publicBaseUrl?: string;
  signer: () => Promise<LinkSigner>;
  fetcher: TeamsFetcher;
  logger: Logger;
}

/** What Teams sends in `fileConsent/invoke`. */
interface FileConsentValue {
  type?: string;
  action?: "accept" | "decline";
  context?: Partial<ConsentContext>;
  uploadInfo?: {
    name?: string;
    uploadUrl?: string;
    contentUrl?: string;
    uniqueId?: string;
    fileType?: string;
  };
}

export class FileDelivery {
  private readonly background = new Set<Promise<void>>();

  constructor(private readonly deps: FileDeliveryDeps) {}

  /** Delivers a reply's files into the conversation; problems become one notice message, never a failure. */
  async deliver(
    reference: Partial<ConversationReference>,
    context: TeamsContext,
    files: ReplyFile[],
  ): Promise<void> {
    if (files.length === 0) return;
    const { sender } = this.deps;
    const messages: Partial<Activity>[] = [];
    const links: string[] = [];
    const problems: string[] = [];
    const useGraph = context.scope === "channel" && this.deps.graph && context.teamId && context.channelId;
    for (const file of files) {
      let spooled: SpooledFile | undefined;
      try {
        spooled = await this.deps.spool.spool(file);
        if (context.scope === "personal") {
          messages.push({
            type: "message",
            attachments: [fileConsentCard(file.name, spooled.size, spooled.id)],
          });
          continue;
        }
        if (useGraph) {
          const uploaded = await this.uploadToChannel(context, spooled);
          if (uploaded) {
            messages.push(uploaded);
            continue;
          }
        }
        if (this.deps.publicBaseUrl) {
          const expiresAt = Date.now() + this.deps.spool.ttlMs;
          const url = (await this.deps.signer()).link(
            this.deps.publicBaseUrl,
            spooled.id,
            spooled.name,
            expiresAt,
          );
          links.push(`- [${teamsMarkdownName(file.name)}](${url}) (${formatBytes(spooled.size)})`);
          continue;
        }
        await this.deps.spool.remove(spooled.id);
        problems.push(
          `I made **${teamsMarkdownName(file.name)}**, but can't share files here: ask me in a 1:1 chat to get it, ` +
            "or ask an admin to enable Microsoft Graph access or set PUBLIC_BASE_URL for databot.",
        );
      } catch (error) {
        this.deps.logger.warn({ err: error, file: file.name }, "could not deliver a generated file");
        if (spooled) await this.deps.spool.remove(spooled.id);
        problems.push(
          `I couldn't share **${teamsMarkdownName(file.name)}** here: ${escapeTeamsText(asDatabotError(error).userMessage)}`,
        );
      }
    }
    if (links.length > 0) {
      messages.push({
        type: "message",
        textFormat: "markdown",
        text: `Files from this answer (the links work for 24 hours):\n\n${links.join("\n")}`,
      });
    }
    if (problems.length > 0) {
      messages.push({
        type: "message",
        textFormat: "markdown",
        text: problems.map((p) => `⚠️ ${p}`).join("\n\n"),
      });
    }
    if (messages.length > 0) await sender.send(reference, messages);
  }

  /** Puts a file in the channel's Files folder; undefined when Graph refused (databot then falls back to a link). */
  private async uploadToChannel(
    context: TeamsContext,
    spooled: SpooledFile,
  ): Promise<Partial<Activity> | undefined> {
    try {
      const item = await this.deps.graph!.uploadToChannel(
        context.teamId!,
        context.channelId!,
        spooled,
        context.tenantId,
      );
      await this.deps.spool.remove(spooled.id);
      return {
        type: "message",
        text: `Saved **${teamsMarkdownName(item.name)}** to this channel's Files.`,
        textFormat: "markdown",
        attachments: [fileInfoCard(item.name, item.webUrl ?? "", uniqueIdOf(item.eTag, item.id))],
      };
    } catch (error) {
      if (!this.deps.publicBaseUrl) throw error;
      this.deps.logger.warn(
        { err: error, file: spooled.name },
        "upload to the channel failed; sharing a link instead",
      );
      return undefined;
    }
  }

  /** Answers `fileConsent/invoke` at once; the upload runs in the background and posts the file card. */
  async onConsent(context: TurnContext): Promise<InvokeResponse> {
    const activity = context.activity;
    const value = (activity.value ?? {}) as FileConsentValue;
    const reference = TurnContext.getConversationReference(activity);
    const fileKey = value.context?.fileKey ?? "";
    const consentCardId = activity.replyToId;
    const task = this.completeConsent(reference, value, fileKey, consentCardId).catch((error: unknown) => {
      this.deps.logger.warn({ err: error }, "file consent handling failed");
    });
    this.background.add(task);
    void task.finally(() => this.background.delete(task));
    return { status: 200 };
  }

  /** Waits (a bounded time) for uploads still running, on shutdown. */
  async drain(timeoutMs: number): Promise<void> {
    await Promise.race([
      Promise.allSettled([...this.background]),
      new Promise((resolve) => setTimeout(resolve, timeoutMs).unref()),
    ]);
  }

  private async completeConsent(
    reference: Partial<ConversationReference>,
    value: FileConsentValue,
    fileKey: string,
    consentCardId: string | undefined,
  ): Promise<void> {
    const { sender, spool } = this.deps;
    const file = await spool.get(fileKey);
    const removeCard = async () => {
      if (!consentCardId) return;
      await sender
        .inConversation(reference, (ctx) => ctx.deleteActivity(consentCardId))
        .catch((error: unknown) =>
          this.deps.logger.debug({ err: error }, "could not remove the consent card"),
        );
    };
    if (!file) {
      await sender.send(reference, [
        {
          type: "message",
          text: "That file is no longer available; ask the question again to get a new one.",
        },
      ]);
      return;
    }
    if (value.action !== "accept") {
      await removeCard();
      await spool.remove(file.id);
      await sender.send(reference, [
        {
          type: "message",
          textFormat: "markdown",
          text: `OK, I didn't save **${teamsMarkdownName(file.name)}**.`,
        },
      ]);
      return;
    }
    const info = value.uploadInfo ?? {};
    if (!info.uploadUrl || !info.contentUrl) {
      await sender.send(reference, [
        { type: "message", text: "Teams did not say where to upload the file." },
      ]);
      return;
    }
    try {
      await uploadToSession(this.deps.fetcher, info.uploadUrl, file);
    } catch (error) {
      this.deps.logger.warn({ err: error, file: file.name }, "upload to OneDrive failed");
      await sender.send(reference, [
        {
          type: "message",
          textFormat: "markdown",
          text: `⚠️ I couldn't upload **${teamsMarkdownName(file.name)}** to your OneDrive. Ask again to get a new copy.`,
        },
      ]);
      return;
    }
    await spool.remove(file.id);
    await removeCard();
    await sender.send(reference, [
      {
        type: "message",
        attachments: [
          fileInfoCard(info.name ?? file.name, info.contentUrl, info.uniqueId ?? "", info.fileType),
        ],
      },
    ]);
  }
}

/** The GUID inside a driveItem eTag (`"{GUID},1"`), which Teams' file card calls uniqueId. */
function uniqueIdOf(eTag: string | undefined, fallback: string): string {
  return /\{([0-9a-f-]{36})\}/i.exec(eTag ?? "")?.[1] ?? fallback;
}
