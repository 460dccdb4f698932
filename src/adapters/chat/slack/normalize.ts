/**
 * Pure translation from Slack's event payloads to databot's normalized message, and the decision of which
 * messages databot answers. No I/O: everything here is tested without a server.
 */
import { decodeThreadId, encodeThreadId } from "../../../core/thread-id";
import type { AttachmentMeta, InboundMessage, JsonObject } from "../../../core/types";
import type { BotIdentity, SlackEnvelope, SlackFile, SlackMessageEvent } from "./slack-types";

/** Where a Slack thread lives: the workspace, the conversation and the thread's root message. */
export interface SlackThread {
  team: string;
  channel: string;
  threadTs: string;
}

/** The thread id of a Slack thread: `slack:<team>:<channel>:<thread_ts>`. */
export function slackThreadId(thread: SlackThread): string {
  return encodeThreadId("slack", [thread.team, thread.channel, thread.threadTs]);
}

/** Reverses {@link slackThreadId}; throws on anything that is not a Slack thread id. */
export function parseSlackThreadId(threadId: string): SlackThread {
  const { platform, parts } = decodeThreadId(threadId);
  const [team, channel, threadTs] = parts;
  if (platform !== "slack" || parts.length !== 3 || !team || !channel || !threadTs) {
    throw new Error(`Not a Slack thread id: ${JSON.stringify(threadId.slice(0, 80))}`);
  }
  return { team, channel, threadTs };
}

/** One id per Slack message, whichever event (app_mention or message.*) and delivery brought it. */
export function slackMessageId(team: string, channel: string, ts: string): string {
  return encodeThreadId("slack", [team, channel, ts]);
}

/** The dedupe key of one event delivery: retries carry the same `event_id`. */
function slackEventKey(eventId: string): string {
  return `slack-event:${eventId}`;
}

/**
 * Why a message is (or is not) for databot:
 * - `mention`: databot was @mentioned in a channel; a top-level mention starts a thread.
 * - `direct`: a direct message to databot (the agent messaging experience).
 * - `thread_reply`: a message in a thread without a mention; answered only if databot answers that thread.
 * - `ignore`: edits, joins, databot's own messages, other bots (unless allowed), empty messages.
 */
export type Addressing = "mention" | "direct" | "thread_reply" | "ignore";

/** Message subtypes that are something a person said. */
const ANSWERABLE_SUBTYPES = new Set([undefined, "file_share", "thread_broadcast"]);

export interface ClassifyOptions {
  identity: BotIdentity;
  /** Answer other bots' messages too (databot's own are always ignored). */
  answerBots: boolean;
}

/** Decides whether and why databot should look at a message event. */
export function classify(event: SlackMessageEvent, options: ClassifyOptions): Addressing {
  const { identity } = options;
  if (!event.channel || !event.ts) return "ignore";
  const fromBot = event.bot_id !== undefined || event.subtype === "bot_message";
  const fromSelf =
    (identity.userId !== undefined && event.user === identity.userId) ||
    (identity.botId !== undefined && event.bot_id === identity.botId) ||
    (identity.appId !== undefined && event.app_id === identity.appId);
  if (fromSelf) return "ignore";
  if (fromBot && !options.answerBots) return "ignore";
  const subtype = event.subtype === "bot_message" && options.answerBots ? undefined : event.subtype;
  if (!ANSWERABLE_SUBTYPES.has(subtype)) return "ignore";
  if ((event.text ?? "").trim() === "" && (event.files ?? []).length === 0) return "ignore";

  if (event.channel_type === "im") return "direct";
  if (event.type === "app_mention" || mentions(event.text ?? "", identity.userId)) return "mention";
  if (event.thread_ts !== undefined && event.thread_ts !== event.ts) {
    // A reply that addresses someone else by name is a conversation between people, not a question.
    return mentionsOthers(event.text ?? "", identity.userId) ? "ignore" : "thread_reply";
  }
  return "ignore";
}

/** The workspace an event belongs to (the installation's team, stable across an event's twins). */
export function workspaceOf(envelope: SlackEnvelope): string | undefined {
  return envelope.team_id ?? envelope.authorizations?.[0]?.team_id ?? undefined;
}

/** The thread a message belongs to; a top-level message (or DM) starts its own thread. */
export function threadOf(event: SlackMessageEvent, team: string): SlackThread {
  return { team, channel: event.channel, threadTs: event.thread_ts ?? event.ts };
}

export interface NormalizeOptions {
  identity: BotIdentity;
  /** The author's display name, when known. */
  authorName?: string;
}

/**
 * Builds the normalized message. The id comes from team, channel and ts, so the `app_mention` and `message`
 * twins of one message, and every retry, dedupe to one; the delivery's `event_id` is an alternate id.
 */
export function normalizeMessage(
  event: SlackMessageEvent,
  envelope: SlackEnvelope,
  options: NormalizeOptions,
): InboundMessage {
  const team = workspaceOf(envelope);
  if (!team) throw new Error("The Slack event has no team id");
  const thread = threadOf(event, team);
  const context: JsonObject = {
    team,
    channel: event.channel,
    threadTs: thread.threadTs,
    ts: event.ts,
    channelType: event.channel_type ?? (event.channel.startsWith("D") ? "im" : "channel"),
    // Streaming to a thread names its recipient: the asking user and the team that user belongs to.
    recipientTeam: event.user_team ?? event.team ?? team,
  };
  if (event.user) context.recipientUser = event.user;
  return {
    id: slackMessageId(team, event.channel, event.ts),
    platform: "slack",
    threadId: slackThreadId(thread),
    author: {
      id: event.user ?? event.bot_id ?? "unknown",
      ...(options.authorName ? { name: options.authorName } : {}),
    },
    text: plainText(event.text ?? "", options.identity.userId),
    attachments: (event.files ?? []).map(toAttachment).filter((a): a is AttachmentMeta => a !== undefined),
    sentAt: tsToIso(event.ts),
    ...(envelope.event_id ? { alternateIds: [slackEventKey(envelope.event_id)] } : {}),
    context,
    // The author's workspace, as ALLOWED_SLACK_TEAMS checks it (Slack Connect brings in other workspaces).
    origin: { workspace: String(context.recipientTeam), channel: event.channel },
  };
}

/**
 * A shared file as attachment metadata. The ref holds the file id and its download URL (never a token), so
 * the file can be fetched after a restart; Slack Connect files are looked up with `files.info` instead.
 */
export function toAttachment(file: SlackFile): AttachmentMeta | undefined {
  if (!file.id || file.mode === "tombstone") return undefined;
  const ref: JsonObject = { id: file.id };
  const url = file.url_private_download ?? file.url_private;
  if (url) ref.url = url;
  if (file.file_access === "check_file_info") ref.access = "check_file_info";
  if (file.mode === "external") ref.external = true;
  return {
    name: file.name ?? file.title ?? "",
    ...(file.mimetype ? { mimeType: file.mimetype } : {}),
    ...(typeof file.size === "number" ? { size: file.size } : {}),
    ref,
  };
}

/**
 * Slack's message markup as plain text for the agent: databot's own mention removed, other mentions and
 * channel links kept readable, links shown with their address, and the three escaped characters restored.
 */
export function plainText(text: string, botUserId: string | undefined): string {
  let out = text;
  if (botUserId) out = out.replace(new RegExp(`<@${escapeRegExp(botUserId)}(\\|[^>]*)?>`, "g"), " ");
  out = out
    .replace(/<@([A-Z0-9]+)\|([^>]+)>/g, "@$2")
    .replace(/<@([A-Z0-9]+)>/g, "@$1")
    .replace(/<#([A-Z0-9]+)\|([^>]*)>/g, (_m, id: string, name: string) => `#${name || id}`)
    .replace(/<!(here|channel|everyone)(\|[^>]*)?>/g, "@$1")
    .replace(/<!subteam\^[A-Z0-9]+\|([^>]+)>/g, "$1")
    .replace(/<(mailto:)?([^|>]+)\|([^>]+)>/g, (_m, _mail, url: string, label: string) =>
      label === url ? url : `${label} (${url})`,
    )
    .replace(/<([^>]+)>/g, "$1")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
  return out
    .replace(/[ \t]+/g, " ")
    .replace(/ *\n */g, "\n")
    .trim();
}

/** Slack's `ts` ("1712345678.000100", seconds) as an ISO time. */
function tsToIso(ts: string): string {
  const seconds = Number.parseFloat(ts);
  return Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : new Date().toISOString();
}

function mentions(text: string, userId: string | undefined): boolean {
  return userId !== undefined && (text.includes(`<@${userId}>`) || text.includes(`<@${userId}|`));
}

function mentionsOthers(text: string, userId: string | undefined): boolean {
  const mentioned = [...text.matchAll(/<@([A-Z0-9]+)(\|[^>]*)?>/g)].map((m) => m[1]);
  return mentioned.some((id) => id !== userId);
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Where and to whom databot answers a message, read back from what {@link normalizeMessage} stored. */
export interface AnswerTarget extends SlackThread {
  /** "im" for direct messages (the agent messaging experience). */
  channelType: string;
  /** The asking user and that user's team: Slack's streaming API names the recipient. */
  recipientUser?: string;
  recipientTeam: string;
}

export function answerTarget(message: InboundMessage): AnswerTarget {
  const thread = parseSlackThreadId(message.threadId);
  const context = message.context ?? {};
  const text = (key: string) => (typeof context[key] === "string" ? (context[key] as string) : undefined);
  return {
    ...thread,
    channelType: text("channelType") ?? (thread.channel.startsWith("D") ? "im" : "channel"),
    recipientUser: text("recipientUser") ?? (message.author.id !== "unknown" ? message.author.id : undefined),
    recipientTeam: text("recipientTeam") ?? thread.team,
  };
}
