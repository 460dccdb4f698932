/**
 * A fake Slack for stories: a workspace whose people post messages, share files, open databot's messages tab
 * and click buttons, with Slack's Web API and file hosts on 127.0.0.1 and events delivered to databot as
 * signed HTTP requests (or over Socket Mode). The installed app is the one `manifests/slack/` describes: its
 * bot token has the manifest's scopes and Slack delivers only the events it subscribes to.
 */
import path from "node:path";
import { blockActions, envelope, postSigned, type EventEnvelope } from "./events";
import { readManifest, repoFile } from "./manifest";
import { FakeSlackServer, type RecordedRequest } from "./server";
import { FakeSocketMode } from "./socket-mode";
import { DATABOT, SlackState, TEAM, type ChannelKind, type FakeMessage, type FakeUser } from "./state";
import { describeFile, mimeFor } from "./web-api";

export { DATABOT, slackCommands, visibleText, type FakeMessage } from "./state";
export type { RecordedRequest } from "./server";

export interface FakeSlackOptions {
  /** The app manifest to install; `manifests/slack/manifest.yaml` by default. */
  manifest?: string;
  signingSecret?: string;
  /** Whether `chat.startStream` is allowed in this workspace (default true). */
  streaming?: boolean;
  /** How long a native stream lives (Slack: about five minutes). */
  streamLifetimeMs?: number;
}

/** A file a person shares with a message. */
export interface SharedFile {
  name: string;
  content: Buffer | string;
  mimetype?: string;
  /** Shared from another organization: the event carries only the file id. */
  slackConnect?: boolean;
  /** Serve the download from somewhere else (to prove the token stays with Slack). */
  downloadUrl?: string;
}

export interface Delivery {
  body: EventEnvelope;
  /** The HTTP status databot answered (or 200/0 for an acknowledged/unacknowledged Socket Mode envelope). */
  status: number;
}

export interface Posted {
  channel: string;
  ts: string;
  deliveries: Delivery[];
}

const MESSAGE_EVENT: Record<ChannelKind, string> = {
  public: "message.channels",
  private: "message.groups",
  im: "message.im",
  mpim: "message.mpim",
};
const CHANNEL_TYPE: Record<ChannelKind, string> = {
  public: "channel",
  private: "group",
  im: "im",
  mpim: "mpim",
};

export class FakeSlack {
  static readonly BOT_TOKEN = "xoxb-test-databot";
  static readonly TOKEN_WITHOUT_FILES_READ = "xoxb-test-no-files-read";
  static readonly APP_TOKEN = "xapp-1-A0DATABOT-test";

  readonly state = new SlackState();
  readonly signingSecret: string;
  /** Where databot receives events in HTTP mode (`<databot>/slack/events`). */
  eventsUrl?: string;
  streaming: boolean;
  streamLifetimeMs: number;
  private readonly server: FakeSlackServer;
  private socketMode?: FakeSocketMode;
  private readonly subscriptions: Set<string>;
  private waiters: (() => void)[] = [];
  private readonly listeners = new Set<(message: FakeMessage) => void>();
  /** Deliveries of databot's own messages back to it, as Slack does. */
  readonly echoes: Promise<Delivery | undefined>[] = [];

  private constructor(options: FakeSlackOptions) {
    const manifest = readManifest(options.manifest ?? repoFile("manifests/slack/manifest.yaml"));
    this.subscriptions = new Set(manifest.events);
    this.signingSecret = options.signingSecret ?? "fake-slack-signing-secret";
    this.streaming = options.streaming ?? true;
    this.streamLifetimeMs = options.streamLifetimeMs ?? 5 * 60_000;
    this.state.tokens.set(FakeSlack.BOT_TOKEN, { kind: "bot", scopes: new Set(manifest.scopes) });
    this.state.tokens.set(FakeSlack.TOKEN_WITHOUT_FILES_READ, {
      kind: "bot",
      scopes: new Set(manifest.scopes.filter((s) => s !== "files:read")),
    });
    this.state.tokens.set(FakeSlack.APP_TOKEN, { kind: "app", scopes: new Set(["connections:write"]) });
    this.server = new FakeSlackServer({
      state: this.state,
      streaming: () => this.streaming,
      streamLifetimeMs: () => this.streamLifetimeMs,
      agentView: manifest.agentView,
      socketUrl: () => this.socketMode!.url(),
      onCall: () => this.wake(),
    });
    this.state.onDatabotMessage = (message) => {
      this.echoes.push(this.echo(message));
      for (const listener of this.listeners) listener(message);
    };
  }

  static async start(options: FakeSlackOptions = {}): Promise<FakeSlack> {
    const slack = new FakeSlack(options);
    await slack.server.listen();
    slack.socketMode = new FakeSocketMode(slack.server.server, slack.server.origin);
    return slack;
  }

  /** The Web API base URL (`SLACK_API_URL`). */
  get apiUrl(): string {
    return `${this.server.origin}/api/`;
  }

  get origin(): string {
    return this.server.origin;
  }

  get requests(): RecordedRequest[] {
    return this.server.requests;
  }

  get socket(): FakeSocketMode {
    return this.socketMode!;
  }

  /** The environment that points databot at this workspace in HTTP mode. */
  env(overrides: Record<string, string> = {}): Record<string, string> {
    return {
      SLACK_BOT_TOKEN: FakeSlack.BOT_TOKEN,
      SLACK_SIGNING_SECRET: this.signingSecret,
      SLACK_API_URL: this.apiUrl,
      ...overrides,
    };
  }

  /** A person; with `team`, one from another organization's workspace (a Slack Connect guest). */
  addPerson(id: string, name: string, team?: string): FakeUser {
    const user = {
      id,
      name: name.toLowerCase(),
      realName: name,
      displayName: name,
      ...(team ? { team } : {}),
    };
    this.state.users.set(id, user);
    return user;
  }

  /** A channel with these members (databot included unless `withDatabot` is false). */
  addChannel(id: string, name: string, kind: ChannelKind, members: string[], withDatabot = true): string {
    this.state.channels.set(id, {
      id,
      name,
      kind,
      members: new Set([...members, ...(withDatabot ? [DATABOT.userId] : [])]),
    });
    return id;
  }

  /** The direct-message conversation between a person and databot. */
  directMessages(user: string): string {
    const id = `D0${user.slice(1)}`;
    if (!this.state.channels.has(id)) this.addChannel(id, id, "im", [user]);
    return id;
  }

  /** A person posts a message (with files); Slack delivers the events databot subscribes to, at once. */
  async post(
    user: string,
    message: { channel: string; text: string; threadTs?: string; files?: SharedFile[] },
  ): Promise<Posted> {
    const channel = this.state.channels.get(message.channel);
    if (!channel) throw new Error(`No channel ${message.channel}`);
    const files = (message.files ?? []).map((f) => this.storeFile(user, f));
    const posted = this.state.addMessage({
      channel: channel.id,
      threadTs: message.threadTs,
      user,
      text: message.text,
      files: files.map((f) => f.id),
      ...(files.length ? { subtype: "file_share" } : {}),
    });
    const fileObjects = files.map((f) =>
      f.slackConnect
        ? {
            id: f.id,
            mode: "file_access",
            file_access: "check_file_info",
            created: 0,
            timestamp: 0,
            user: "",
          }
        : describeFile(f, this.origin),
    );
    const common = {
      user,
      text: message.text,
      ts: posted.ts,
      // Slack Connect: events carry the author's own workspace.
      team: this.state.users.get(user)?.team ?? TEAM.id,
      user_team: this.state.users.get(user)?.team ?? TEAM.id,
      channel: channel.id,
      ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
      ...(files.length ? { files: fileObjects, upload: false, display_as_bot: false } : {}),
      client_msg_id: `client-${posted.ts}`,
    };
    const events: Record<string, unknown>[] = [];
    if (
      channel.kind !== "im" &&
      this.subscriptions.has("app_mention") &&
      message.text.includes(`<@${DATABOT.userId}>`)
    ) {
      events.push({ type: "app_mention", ...common });
    }
    if (this.subscriptions.has(MESSAGE_EVENT[channel.kind]) && channel.members.has(DATABOT.userId)) {
      events.push({
        type: "message",
        ...(files.length ? { subtype: "file_share" } : {}),
        ...common,
        channel_type: CHANNEL_TYPE[channel.kind],
      });
    }
    // Slack sends an app_mention and its message twin independently: they may arrive together.
    const deliveries = await Promise.all(events.map((event) => this.deliver(envelope(event))));
    return { channel: channel.id, ts: posted.ts, deliveries };
  }

  /** Delivers an event envelope (again, with `X-Slack-Retry-Num` when `retryNum` is set). */
  async deliver(body: EventEnvelope, retryNum?: number, timestamp?: number): Promise<Delivery> {
    if (this.socketMode?.isConnected) {
      const acked = await this.socketMode.push(
        "events_api",
        body as unknown as Record<string, unknown>,
        retryNum,
      );
      return { body, status: acked ? 200 : 0 };
    }
    if (!this.eventsUrl) throw new Error("databot's events URL is not set");
    const response = await postSigned({
      url: this.eventsUrl,
      body: JSON.stringify(body),
      contentType: "application/json",
      secret: this.signingSecret,
      retryNum,
      timestamp,
    });
    return { body, status: response.status };
  }

  /** A person opens databot's messages tab (the agent container). */
  async openMessagesTab(user: string): Promise<Delivery | undefined> {
    if (!this.subscriptions.has("app_home_opened")) return undefined;
    const channel = this.directMessages(user);
    return this.deliver(
      envelope({ type: "app_home_opened", user, channel, tab: "messages", event_ts: `${Date.now() / 1000}` }),
    );
  }

  /** A person clicks the button with `actionId` under a message databot posted. */
  async click(user: string, message: FakeMessage, actionId: string): Promise<number> {
    const found = (message.blocks ?? [])
      .filter((b) => b.type === "actions")
      .flatMap((b) =>
        ((b.elements as Record<string, unknown>[]) ?? []).map((e) => ({ block: b, element: e })),
      )
      .find(({ element }) => element.action_id === actionId);
    if (!found) throw new Error(`No button ${actionId} under message ${message.ts}`);
    const payload = blockActions({
      user,
      channel: message.channel,
      messageTs: message.ts,
      threadTs: message.threadTs,
      actionId,
      blockId: String(found.block.block_id ?? "b"),
      value: String(found.element.value ?? ""),
      label: String((found.element.text as { text?: string })?.text ?? ""),
    });
    if (this.socketMode?.isConnected) return (await this.socketMode.push("interactive", payload)) ? 200 : 0;
    const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    return (
      await postSigned({
        url: this.eventsUrl!,
        body,
        contentType: "application/x-www-form-urlencoded",
        secret: this.signingSecret,
      })
    ).status;
  }

  /** databot's messages in a thread (ephemeral ones excluded), oldest first. */
  databotReplies(channel: string, threadTs: string): FakeMessage[] {
    return this.state.replies(channel, threadTs).filter((m) => m.user === DATABOT.userId);
  }

  /** Calls `listener` with every message databot (the installed app) posts; returns the unsubscribe. */
  onDatabotMessage(listener: (message: FakeMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Web API calls made to `method`, in order. */
  calls(method: string): RecordedRequest[] {
    return this.requests.filter((r) => r.apiMethod === method);
  }

  /** Resolves with the first truthy value of `probe`, checked after every call databot makes. */
  waitFor<T>(
    probe: () => T | undefined | false,
    timeoutMs = 15_000,
    what = "the expected Slack activity",
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = probe();
        if (!value) return false;
        clearTimeout(timer);
        clearInterval(poll);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve(value);
        return true;
      };
      const timer = setTimeout(() => {
        clearInterval(poll);
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`Timed out waiting for ${what}`));
      }, timeoutMs);
      // Some changes (a stream expiring) happen without a call; look now and then as well.
      const poll = setInterval(check, 50);
      if (!check()) this.waiters.push(check);
    });
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.echoes);
    await this.socketMode?.close();
    await this.server.close();
  }

  /** Slack delivers the app's own messages to it as `message` events (with its bot_id and app_id). */
  private async echo(message: FakeMessage): Promise<Delivery | undefined> {
    const channel = this.state.channels.get(message.channel);
    if (!channel || !this.subscriptions.has(MESSAGE_EVENT[channel.kind])) return undefined;
    if (!this.eventsUrl && !this.socketMode?.isConnected) return undefined;
    const event = {
      type: "message",
      ...(message.subtype ? { subtype: message.subtype } : {}),
      user: message.user,
      bot_id: message.botId,
      app_id: message.appId,
      text: message.text,
      ts: message.ts,
      team: TEAM.id,
      channel: message.channel,
      channel_type: CHANNEL_TYPE[channel.kind],
      ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
    };
    await new Promise((resolve) => setImmediate(resolve)); // after the API call that posted it has answered
    return this.deliver(envelope(event)).catch(() => undefined);
  }

  private storeFile(user: string, shared: SharedFile) {
    const id = this.state.nextId("F");
    const file = {
      id,
      name: shared.name,
      title: shared.name,
      mimetype: shared.mimetype ?? mimeFor(shared.name),
      filetype: path.extname(shared.name).slice(1).toLowerCase() || "binary",
      bytes: Buffer.isBuffer(shared.content) ? shared.content : Buffer.from(shared.content),
      user,
      created: Math.floor(Date.now() / 1000),
      slackConnect: shared.slackConnect,
      downloadUrl: shared.downloadUrl,
      state: "shared" as const,
    };
    this.state.files.set(id, file);
    return file;
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** The people and channels most stories use: Ana and Ben in #sales (public) and #finance (private). */
export function seedAcme(slack: FakeSlack): void {
  slack.addPerson("U0ANA", "Ana");
  slack.addPerson("U0BEN", "Ben");
  slack.addChannel("C0SALES", "sales", "public", ["U0ANA", "U0BEN"]);
  slack.addChannel("C0FINANCE", "finance", "private", ["U0ANA", "U0BEN"]);
}
