/**
 * Teams activities as Teams sends them to a bot (shapes taken from real, sanitised payloads): personal chat,
 * group chat and team channel messages, file consent answers and card clicks, and a helper that posts them to
 * databot's `/api/messages` the way the Bot Framework does.
 */
import { randomUUID } from "node:crypto";
import type { Activity, Attachment, Entity } from "botbuilder";

const BOT_ID = "28:00000000-0000-0000-0000-00000000b07d";
const BOT_NAME = "databot";
export const TENANT_ID = "72f988bf-0000-0000-0000-000000000001";
export const TEAM_GROUP_ID = "4e8a1c36-0000-0000-0000-0000000000aa";
const TEAM_THREAD_ID = "19:team-general@thread.tacv2";
export const CHANNEL_ID = "19:sales-analytics@thread.tacv2";

let counter = 1_712_345_600_000;
/** Teams message ids are millisecond timestamps. */
function nextMessageId(): string {
  counter += 1;
  return String(counter);
}

export interface Person {
  id: string;
  name: string;
  aadObjectId: string;
}

const ADA: Person = { id: "29:1ada", name: "Ada Lovelace", aadObjectId: "aad-ada" };
export const GRACE: Person = { id: "29:1grace", name: "Grace Hopper", aadObjectId: "aad-grace" };

interface Common {
  serviceUrl: string;
  from?: Person;
  id?: string;
  text?: string;
  attachments?: Attachment[];
}

function base(common: Common): Partial<Activity> {
  const now = new Date().toISOString();
  return {
    type: "message",
    id: common.id ?? nextMessageId(),
    timestamp: now as unknown as Date,
    localTimestamp: now as unknown as Date,
    serviceUrl: common.serviceUrl,
    channelId: "msteams",
    from: { ...(common.from ?? ADA) },
    recipient: { id: BOT_ID, name: BOT_NAME },
    textFormat: "plain",
    locale: "en-US",
    entities: [
      { type: "clientInfo", locale: "en-US", country: "US", platform: "Web", timezone: "Europe/London" },
    ],
  };
}

/** A message in the person's 1:1 chat with databot. */
export function personalMessage(common: Common & { conversationId?: string }): Partial<Activity> {
  return {
    ...base(common),
    text: common.text ?? "",
    attachments: common.attachments ?? [],
    conversation: {
      conversationType: "personal",
      tenantId: TENANT_ID,
      id: common.conversationId ?? `a:1${randomUUID()}`,
      isGroup: false,
      name: "",
    },
    channelData: { tenant: { id: TENANT_ID } },
  };
}

/** A `file.download.info` attachment, what Teams sends when someone attaches a file in a 1:1 chat. */
export function downloadInfo(name: string, downloadUrl: string): Attachment {
  return {
    contentType: "application/vnd.microsoft.teams.file.download.info",
    contentUrl:
      "https://contoso-my.sharepoint.com/personal/ada/Documents/Microsoft%20Teams%20Chat%20Files/" +
      encodeURIComponent(name),
    name,
    content: { downloadUrl, uniqueId: randomUUID().toUpperCase(), fileType: name.split(".").pop() },
  };
}

/** A mention of databot: the `<at>` text plus the entity Teams adds. */
function mention(text: string): { text: string; entity: Entity } {
  return {
    text: `<at>${BOT_NAME}</at> ${text}`,
    entity: { type: "mention", text: `<at>${BOT_NAME}</at>`, mentioned: { id: BOT_ID, name: BOT_NAME } },
  };
}

/** Text, mention entity and the HTML copy Teams sends with every channel and group-chat message. */
function mentionedBody(
  activity: Partial<Activity>,
  common: Common & { mention?: boolean; html?: string },
): Pick<Activity, "text" | "entities" | "attachments"> {
  const m =
    common.mention === false ? { text: common.text ?? "", entity: undefined } : mention(common.text ?? "");
  return {
    text: m.text,
    entities: [...(activity.entities ?? []), ...(m.entity ? [m.entity] : [])],
    attachments: [
      { contentType: "text/html", content: `<div>${m.text}${common.html ?? ""}</div>` },
      ...(common.attachments ?? []),
    ],
  };
}

/** A post (or a reply in its chain) in a team channel, usually mentioning databot. */
export function channelMessage(
  common: Common & { rootId?: string; mention?: boolean; html?: string },
): Partial<Activity> {
  const activity = base(common);
  const id = activity.id!;
  const rootId = common.rootId ?? id;
  return {
    ...activity,
    ...mentionedBody(activity, common),
    conversation: {
      isGroup: true,
      conversationType: "channel",
      tenantId: TENANT_ID,
      id: `${CHANNEL_ID};messageid=${rootId}`,
      name: "",
    },
    channelData: {
      teamsChannelId: CHANNEL_ID,
      teamsTeamId: TEAM_THREAD_ID,
      channel: { id: CHANNEL_ID },
      team: { id: TEAM_THREAD_ID, aadGroupId: TEAM_GROUP_ID },
      tenant: { id: TENANT_ID },
    },
    ...(rootId !== id ? { replyToId: rootId } : {}),
  };
}

/** A message in a group chat, usually mentioning databot. */
export function groupChatMessage(
  common: Common & { chatId: string; mention?: boolean; html?: string },
): Partial<Activity> {
  const activity = base(common);
  return {
    ...activity,
    ...mentionedBody(activity, common),
    conversation: {
      isGroup: true,
      conversationType: "groupChat",
      tenantId: TENANT_ID,
      id: common.chatId,
      name: "Q3 planning",
    },
    channelData: { tenant: { id: TENANT_ID } },
  };
}

/** The invoke Teams sends when the person clicks Allow or Decline on a file consent card. */
export function fileConsentInvoke(
  conversation: Partial<Activity>,
  consentCardId: string,
  action: "accept" | "decline",
  context: unknown,
  uploadInfo?: { name: string; uploadUrl: string; contentUrl: string; uniqueId: string; fileType: string },
): Partial<Activity> {
  return {
    ...base({ serviceUrl: conversation.serviceUrl! }),
    type: "invoke",
    name: "fileConsent/invoke",
    conversation: conversation.conversation,
    channelData: conversation.channelData,
    replyToId: consentCardId,
    value: { type: "fileUpload", action, context, ...(uploadInfo ? { uploadInfo } : {}) },
  };
}

/** The message Teams sends when someone clicks an Action.Submit button on a card databot posted. */
export function cardSubmit(
  conversation: Partial<Activity>,
  cardMessageId: string,
  data: unknown,
): Partial<Activity> {
  return {
    ...base({ serviceUrl: conversation.serviceUrl! }),
    text: undefined,
    conversation: conversation.conversation,
    channelData: {
      ...(conversation.channelData as object),
      source: { name: "message" },
      legacy: { replyToId: cardMessageId },
    },
    replyToId: cardMessageId,
    value: data,
  };
}

/** Posts an activity to databot like the Bot Framework service does. */
export async function postActivity(
  botUrl: string,
  activity: Partial<Activity>,
  token?: string,
): Promise<{ status: number; body: string }> {
  const response = await fetch(`${botUrl}/api/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(activity),
  });
  return { status: response.status, body: await response.text() };
}
