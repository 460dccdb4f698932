/**
 * The fake Slack workspace: people, conversations, messages, files, streams and the agent-thread extras
 * (status lines, suggested prompts, titles). The Web API handlers and the user actions both work on it, so a
 * test sees what a person in the workspace would see.
 */

export interface FakeUser {
  id: string;
  name: string;
  realName: string;
  displayName: string;
  isBot?: boolean;
  botId?: string;
  appId?: string;
  /** Another organization's workspace: a Slack Connect guest in a shared channel. */
  team?: string;
}

export type ChannelKind = "public" | "private" | "im" | "mpim";

export interface FakeChannel {
  id: string;
  name: string;
  kind: ChannelKind;
  members: Set<string>;
}

export interface FakeFile {
  id: string;
  name: string;
  title: string;
  mimetype: string;
  filetype: string;
  bytes: Buffer;
  user: string;
  created: number;
  /** Slack Connect files arrive in events as `{id, file_access: "check_file_info"}` only. */
  slackConnect?: boolean;
  /** A download link somewhere else than the fake (to prove where the token goes). */
  downloadUrl?: string;
  snippetType?: string;
  altText?: string;
  /** Set by files.getUploadURLExternal; the upload must match it. */
  declaredLength?: number;
  state: "awaiting_upload" | "uploaded" | "shared";
}

export interface FakeStream {
  state: "streaming" | "stopped";
  startedAt: number;
  recipientUser: string;
  recipientTeam: string;
  appends: number;
}

export interface FakeMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  user: string;
  botId?: string;
  appId?: string;
  subtype?: string;
  text: string;
  markdownText?: string;
  blocks?: Block[];
  files: string[];
  stream?: FakeStream;
  updates: number;
  /** Only this user sees the message (chat.postEphemeral). */
  ephemeralFor?: string;
}

export type Block = { type: string; [key: string]: unknown };

export interface TokenInfo {
  kind: "bot" | "app";
  scopes: Set<string>;
}

export interface StatusRecord {
  channel: string;
  threadTs: string;
  status: string;
  loadingMessages?: string[];
}

export const TEAM = { id: "T0ACME", name: "Acme", domain: "acme" };
export const DATABOT = { userId: "U0DATABOT", botId: "B0DATABOT", appId: "A0DATABOT", name: "databot" };

export class SlackState {
  readonly users = new Map<string, FakeUser>();
  readonly channels = new Map<string, FakeChannel>();
  readonly files = new Map<string, FakeFile>();
  readonly messages: FakeMessage[] = [];
  /** Paths of every file download (`/files-pri/...`), in order. */
  readonly downloads: string[] = [];
  private readonly byKey = new Map<string, FakeMessage>();
  readonly tokens = new Map<string, TokenInfo>();
  /** The status line each thread shows now (cleared when databot posts in the thread). */
  readonly statuses = new Map<string, StatusRecord>();
  /** Every status ever set, in order. */
  readonly statusHistory: StatusRecord[] = [];
  readonly suggestedPrompts: {
    channel: string;
    title?: string;
    prompts: { title: string; message: string }[];
  }[] = [];
  readonly titles: { channel: string; threadTs: string; title: string }[] = [];
  /** Called for each message databot posts (Slack sends the app its own messages as events too). */
  onDatabotMessage?: (message: FakeMessage) => void;
  private clock = Math.floor(Date.now() / 1000);
  private sequence = 0;
  private ids = 0;

  constructor() {
    this.users.set(DATABOT.userId, {
      id: DATABOT.userId,
      name: DATABOT.name,
      realName: "databot",
      displayName: "databot",
      isBot: true,
      botId: DATABOT.botId,
      appId: DATABOT.appId,
    });
  }

  /** A new message timestamp, increasing like Slack's. */
  nextTs(): string {
    this.sequence += 1;
    return `${this.clock}.${String(this.sequence).padStart(6, "0")}`;
  }

  nextId(prefix: string): string {
    this.ids += 1;
    return `${prefix}0${String(this.ids).padStart(8, "0")}`;
  }

  addMessage(message: Omit<FakeMessage, "ts" | "updates"> & { ts?: string }): FakeMessage {
    const record: FakeMessage = { ...message, ts: message.ts ?? this.nextTs(), updates: 0 };
    this.messages.push(record);
    if (!record.ephemeralFor) this.byKey.set(`${record.channel}/${record.ts}`, record);
    if (record.user === DATABOT.userId && !record.ephemeralFor) {
      // Slack clears the thread's status line once the app replies there.
      this.statuses.delete(statusKey(record.channel, record.threadTs ?? record.ts));
      this.onDatabotMessage?.(record);
    }
    return record;
  }

  message(channel: string, ts: string): FakeMessage | undefined {
    return this.byKey.get(`${channel}/${ts}`);
  }

  /** Replies in a thread, oldest first (the root excluded). */
  replies(channel: string, threadTs: string): FakeMessage[] {
    return this.messages.filter(
      (m) => m.channel === channel && m.threadTs === threadTs && m.ts !== threadTs && !m.ephemeralFor,
    );
  }

  isMember(channel: string, user: string): boolean {
    return this.channels.get(channel)?.members.has(user) ?? false;
  }
}

export function statusKey(channel: string, threadTs: string): string {
  return `${channel}/${threadTs}`;
}

/**
 * What a person reads in a message: its Markdown or text, then every block's text (markdown, section, context)
 * in order. Buttons are listed by their label.
 */
export function visibleText(message: FakeMessage): string {
  const parts: string[] = [];
  if (message.markdownText !== undefined) parts.push(message.markdownText);
  else if (!message.blocks?.length && message.text) parts.push(message.text);
  for (const block of message.blocks ?? []) parts.push(...blockText(block));
  // What a person reads: Slack shows its escapes (&lt; &gt; &amp;) as the characters.
  return decodeEntities(parts.filter((p) => p !== "").join("\n"));
}

/** What Slack makes of a message's control sequences: who it notifies, and which links it makes clickable. */
export interface SlackCommands {
  /** `<!channel>`, `<!here>`, `<!everyone>`, `<@U…>`, `<#C…>`, `<!subteam^…>`, as written. */
  mentions: string[];
  /** Targets of `<url|label>`, `<url>` and Markdown links. */
  links: string[];
}

/**
 * Reads a message as Slack does: every text field (the top-level `text` drives notifications even when blocks
 * are shown) is scanned for unescaped `<…>` sequences, and Markdown text for `[label](url)` links too. An
 * escaped `&lt;!channel&gt;` is only text.
 */
export function slackCommands(message: FakeMessage): SlackCommands {
  const mrkdwn = [
    message.text,
    ...(message.blocks ?? []).filter((b) => b.type !== "markdown").flatMap(blockText),
  ];
  const markdown = [
    message.markdownText ?? "",
    ...(message.blocks ?? []).filter((b) => b.type === "markdown").flatMap(blockText),
  ];
  const result: SlackCommands = { mentions: [], links: [] };
  for (const text of [...mrkdwn, ...markdown]) {
    for (const [, inner] of text.matchAll(/<([^<>\n]+)>/g)) {
      if (/^(!channel|!here|!everyone|!subteam\^|@[UW]|#C)/.test(inner!)) result.mentions.push(`<${inner}>`);
      else result.links.push(inner!.split("|")[0]!);
    }
  }
  for (const text of markdown) {
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) result.links.push(target!);
  }
  return result;
}

function decodeEntities(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

function blockText(block: Block): string[] {
  const text = (value: unknown): string =>
    typeof value === "string"
      ? value
      : typeof (value as { text?: unknown })?.text === "string"
        ? String((value as { text: string }).text)
        : "";
  switch (block.type) {
    case "markdown":
      return [text(block.text)];
    case "section":
      return [text(block.text)];
    case "context":
      return ((block.elements as unknown[]) ?? []).map(text);
    case "actions":
      return ((block.elements as { text?: unknown }[]) ?? []).map((e) => `[${text(e.text)}]`);
    default:
      return [];
  }
}
