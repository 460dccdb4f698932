/**
 * Teams activity → databot message. Pure translation: which conversation it is, whether databot was addressed,
 * the text without the mention, and the files Teams delivered (personal-chat uploads and pasted images).
 * Files in channels and group chats are not delivered by Teams; `graphLookup` says where to find them.
 */
import type { Activity, ConversationReference } from "botbuilder";
import { z } from "zod";
import { mimeTypeFor } from "../../../core/files/file-types";
import type { AttachmentMeta, InboundMessage, JsonObject } from "../../../core/types";
import { rootMessageIdOf, teamsMessageId, teamsThreadId } from "./thread-ids";

export type TeamsScope = "personal" | "groupChat" | "channel";

const FILE_DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info";

/** Where a channel or group-chat message can be read through Microsoft Graph. */
export type GraphMessageLocation =
  | { kind: "channel"; teamId: string; channelId: string; rootId: string; messageId: string }
  | { kind: "chat"; chatId: string; messageId: string };

/**
 * What the adapter keeps in `InboundMessage.context` to answer later (all JSON), and its schema: the context
 * comes back from the durable inbox, so it is parsed, not trusted to have the shape it was written with.
 */
const Account = z.looseObject({ id: z.string(), name: z.string().default("") });
const TeamsContextSchema = z.object({
  /** `TurnContext.getConversationReference(activity)`: where replies go. */
  reference: z.looseObject({
    serviceUrl: z.string(),
    channelId: z.string().default("msteams"),
    conversation: z.looseObject({
      id: z.string(),
      isGroup: z.boolean().default(false),
      conversationType: z.string().default(""),
      name: z.string().default(""),
    }),
    user: Account.optional(),
    bot: Account.optional(),
    activityId: z.string().optional(),
    locale: z.string().optional(),
  }),
  scope: z.enum(["personal", "groupChat", "channel"]),
  tenantId: z.string().optional(),
  /** The team's Microsoft 365 group id and the channel id (channels only). */
  teamId: z.string().optional(),
  channelId: z.string().optional(),
  /** Notices about files that could not be taken (no Graph access), shown with the reply. */
  fileNotices: z.array(z.string()).optional(),
});

export type TeamsContext = z.infer<typeof TeamsContextSchema>;

/** The Teams context of a message databot recorded; throws when it is not one. */
export function teamsContextOf(message: InboundMessage): TeamsContext {
  const parsed = TeamsContextSchema.safeParse(message.context);
  if (!parsed.success)
    throw new Error(`message ${message.id} carries no Teams context: ${parsed.error.message}`);
  return parsed.data;
}

/** The context as the JSON the inbox keeps. */
function contextJson(context: TeamsContext): JsonObject {
  return JSON.parse(JSON.stringify(context)) as JsonObject;
}

export interface NormalizedActivity {
  message: InboundMessage;
  scope: TeamsScope;
  /** False in channels and group chats when databot was not mentioned: nothing to answer. */
  addressed: boolean;
  /** Where Graph can tell which files the message carries (channels and group chats only). */
  graphLookup?: GraphMessageLocation;
  /** The message's HTML shows file placeholders (`<attachment id=...>`), so files were shared. */
  hasFilePlaceholders: boolean;
}

/** The conversation scope Teams reports (`personal` when it says nothing, as in the emulator). */
function scopeOf(activity: Partial<Activity>): TeamsScope {
  const type = activity.conversation?.conversationType;
  if (type === "channel" || type === "groupChat") return type;
  return "personal";
}

/** True when a mention entity names the recipient (the bot). Teams ids may or may not carry the `28:` prefix. */
function mentionsBot(activity: Partial<Activity>): boolean {
  const botId = normalizeBotId(activity.recipient?.id);
  return mentionEntities(activity).some((m) => normalizeBotId(m.mentioned?.id) === botId && botId !== "");
}

/** The message text with databot's mention removed and other mentions reduced to the names. */
function cleanText(activity: Partial<Activity>): string {
  let text = activity.text ?? "";
  const botId = normalizeBotId(activity.recipient?.id);
  for (const mention of mentionEntities(activity)) {
    if (normalizeBotId(mention.mentioned?.id) === botId && mention.text) {
      text = text.split(mention.text).join(" ");
    }
  }
  text = text.replace(/<at[^>]*>(.*?)<\/at>/gi, "$1");
  return decodeEntities(text)
    .replace(/[ \t\u00a0]+/g, " ")
    .replace(/ *\n */g, "\n")
    .trim();
}

/** Translates an incoming message activity. `reference` is `TurnContext.getConversationReference(activity)`. */
export function normalizeActivity(
  activity: Activity,
  reference: Partial<ConversationReference>,
): NormalizedActivity {
  const scope = scopeOf(activity);
  const conversationId = chainConversationId(activity, scope);
  const replyTo =
    conversationId !== activity.conversation.id && reference.conversation
      ? { ...reference, conversation: { ...reference.conversation, id: conversationId } }
      : reference;
  const channelData = (activity.channelData ?? {}) as {
    tenant?: { id?: string };
    team?: { id?: string; aadGroupId?: string };
    channel?: { id?: string };
  };
  const tenantId = channelData.tenant?.id ?? activity.conversation.tenantId;
  const teamId = channelData.team?.aadGroupId;
  const channelId = channelData.channel?.id;
  // Written through the schema it is read with (undefined fields dropped, as the inbox's JSON drops them).
  const context = TeamsContextSchema.parse(
    JSON.parse(JSON.stringify({ reference: replyTo, scope, tenantId, teamId, channelId })),
  );

  const html = (activity.attachments ?? [])
    .filter((a) => a.contentType === "text/html" && typeof a.content === "string")
    .map((a) => a.content as string)
    .join("\n");

  const message: InboundMessage = {
    id: teamsMessageId(conversationId, activity.id ?? ""),
    platform: "teams",
    threadId: teamsThreadId(conversationId),
    author: { id: activity.from?.aadObjectId ?? activity.from?.id ?? "unknown", name: activity.from?.name },
    text: cleanText(activity),
    attachments: deliveredAttachments(activity),
    sentAt: toIso(activity.timestamp),
    context: contextJson(context),
    // The tenant as ALLOWED_TEAMS_TENANTS checks it (lower case), and the channel or chat.
    origin: {
      ...(tenantId ? { workspace: tenantId.toLowerCase() } : {}),
      channel: channelId ?? conversationId.split(";")[0]!,
    },
  };
  return {
    message,
    scope,
    addressed: scope === "personal" || mentionsBot(activity),
    graphLookup: graphLocation(activity, scope, teamId, channelId),
    hasFilePlaceholders: /<attachment\s[^>]*id=/i.test(html),
  };
}

/** Files Teams hands to the bot itself: personal-chat uploads and pasted images. */
function deliveredAttachments(activity: Activity): AttachmentMeta[] {
  const result: AttachmentMeta[] = [];
  let imageCount = 0;
  for (const attachment of activity.attachments ?? []) {
    if (attachment.contentType === FILE_DOWNLOAD_INFO) {
      const content = (attachment.content ?? {}) as { downloadUrl?: string; fileType?: string };
      if (typeof content.downloadUrl !== "string") continue;
      const name = attachment.name ?? `file.${content.fileType ?? "bin"}`;
      result.push({ name, mimeType: mimeTypeFor(name), ref: { kind: "download", url: content.downloadUrl } });
    } else if (
      attachment.contentType?.startsWith("image/") &&
      typeof attachment.contentUrl === "string" &&
      !attachment.contentUrl.startsWith("data:")
    ) {
      imageCount += 1;
      const extension = attachment.contentType === "image/jpeg" ? "jpg" : attachment.contentType.slice(6);
      const name = attachment.name ?? `pasted-image-${imageCount}.${extension}`;
      result.push({
        name,
        mimeType: attachment.contentType,
        ref: { kind: "connector", url: attachment.contentUrl, serviceUrl: activity.serviceUrl },
      });
    }
  }
  return result;
}

/**
 * The conversation id replies go to. Teams names a channel post's reply chain with `;messageid=<root>`; should a
 * root post arrive without it, the chain is the post itself.
 */
function chainConversationId(activity: Activity, scope: TeamsScope): string {
  const id = activity.conversation.id;
  if (scope !== "channel" || rootMessageIdOf(id) || !activity.id) return id;
  return `${id};messageid=${activity.id}`;
}

function graphLocation(
  activity: Activity,
  scope: TeamsScope,
  teamId: string | undefined,
  channelId: string | undefined,
): GraphMessageLocation | undefined {
  const messageId = activity.id;
  if (!messageId) return undefined;
  if (scope === "channel" && teamId && channelId) {
    const rootId = rootMessageIdOf(activity.conversation.id) ?? messageId;
    return { kind: "channel", teamId, channelId, rootId, messageId };
  }
  if (scope === "groupChat") return { kind: "chat", chatId: activity.conversation.id, messageId };
  return undefined;
}

interface MentionEntity {
  type?: string;
  text?: string;
  mentioned?: { id?: string; name?: string };
}

function mentionEntities(activity: Partial<Activity>): MentionEntity[] {
  return ((activity.entities ?? []) as MentionEntity[]).filter((e) => e.type === "mention");
}

function normalizeBotId(id: string | undefined): string {
  return (id ?? "").replace(/^28:/, "").toLowerCase();
}

function decodeEntities(text: string): string {
  return text
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

function toIso(timestamp: Date | string | undefined): string {
  if (!timestamp) return new Date().toISOString();
  const date = timestamp instanceof Date ? timestamp : new Date(timestamp);
  return Number.isNaN(date.getTime()) ? new Date().toISOString() : date.toISOString();
}
