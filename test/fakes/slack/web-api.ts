/**
 * The fake's Web API methods. Each answers like Slack: HTTP 200 with `{ok:true, ...}` or `{ok:false, error}`,
 * scopes checked per method (`missing_scope` with `needed`/`provided`), arguments as form fields (nested
 * values JSON-encoded, as the SDK sends them) or JSON.
 */
import { DATABOT, TEAM, statusKey, type Block, type FakeMessage, type SlackState } from "./state";
import {
  checkContent,
  content,
  describeFile,
  extension,
  fail,
  json,
  MARKDOWN_LIMIT,
  mimeFor,
  opt,
  str,
  streamText,
  type Params,
} from "./wire";

export { describeFile, mimeFor } from "./wire";
export type { Params } from "./wire";

export type ApiResult =
  { ok: true; [key: string]: unknown } | { ok: false; error: string; [key: string]: unknown };

export interface ApiContext {
  state: SlackState;
  /** The token's scopes (already authenticated). */
  scopes: Set<string>;
  tokenKind: "bot" | "app";
  /** http://127.0.0.1:port, for URLs the fake serves. */
  origin: string;
  streaming: boolean;
  streamLifetimeMs: number;
  agentView: boolean;
  /** Opens a Socket Mode connection URL (apps.connections.open). */
  socketUrl(): string;
}

type Handler = (params: Params, context: ApiContext) => ApiResult;

/** Which scope each method needs (any one of the list). */
const SCOPES: Record<string, string[]> = {
  "auth.test": [],
  "chat.postMessage": ["chat:write"],
  "chat.postEphemeral": ["chat:write"],
  "chat.update": ["chat:write"],
  "chat.startStream": ["chat:write"],
  "chat.appendStream": ["chat:write"],
  "chat.stopStream": ["chat:write"],
  "assistant.threads.setStatus": ["chat:write", "assistant:write"],
  "assistant.threads.setSuggestedPrompts": ["assistant:write"],
  "assistant.threads.setTitle": ["assistant:write"],
  "files.getUploadURLExternal": ["files:write"],
  "files.completeUploadExternal": ["files:write"],
  "files.info": ["files:read"],
  "conversations.info": ["channels:read", "groups:read", "im:read", "mpim:read", "channels:history"],
  "users.info": ["users:read"],
  "apps.connections.open": ["connections:write"],
};

export function callMethod(method: string, params: Params, context: ApiContext): ApiResult {
  const handler = HANDLERS[method];
  if (!handler) return { ok: false, error: "unknown_method" };
  if ((method === "apps.connections.open") !== (context.tokenKind === "app"))
    return { ok: false, error: "not_allowed_token_type" };
  const needed = SCOPES[method] ?? [];
  if (needed.length > 0 && !needed.some((s) => context.scopes.has(s))) {
    return { ok: false, error: "missing_scope", needed: needed[0], provided: [...context.scopes].join(",") };
  }
  return handler(params, context);
}

const HANDLERS: Record<string, Handler> = {
  "auth.test": () => ({
    ok: true,
    url: `https://${TEAM.domain}.slack.com/`,
    team: TEAM.name,
    user: DATABOT.name,
    team_id: TEAM.id,
    user_id: DATABOT.userId,
    bot_id: DATABOT.botId,
    is_enterprise_install: false,
  }),

  "chat.postMessage": (p, { state }) => {
    const channel = str(p.channel);
    const problem =
      checkChannel(state, channel) ?? checkThread(state, channel, opt(p.thread_ts)) ?? checkContent(p);
    if (problem) return fail(problem);
    const message = state.addMessage({
      ...content(p),
      channel,
      threadTs: opt(p.thread_ts),
      ...fromDatabot(),
    });
    return { ok: true, channel, ts: message.ts, message: wire(message) };
  },

  "chat.postEphemeral": (p, { state }) => {
    const channel = str(p.channel);
    const problem = checkChannel(state, channel) ?? checkContent(p);
    if (problem) return fail(problem);
    if (!state.isMember(channel, str(p.user))) return fail("user_not_in_channel");
    const message = state.addMessage({
      ...content(p),
      channel,
      threadTs: opt(p.thread_ts),
      ephemeralFor: str(p.user),
      ...fromDatabot(),
    });
    return { ok: true, message_ts: message.ts };
  },

  "chat.update": (p, { state }) => {
    const message = state.message(str(p.channel), str(p.ts));
    if (!message) return fail("message_not_found");
    if (message.user !== DATABOT.userId) return fail("cant_update_message");
    const problem = checkContent(p);
    if (problem) return fail(problem);
    Object.assign(message, { markdownText: undefined, blocks: undefined, text: "" }, content(p));
    message.updates += 1;
    if (message.stream?.state === "streaming") message.stream.state = "stopped";
    return { ok: true, channel: message.channel, ts: message.ts, text: message.text };
  },

  "chat.startStream": (p, context) => {
    const { state } = context;
    const channel = str(p.channel);
    const threadTs = opt(p.thread_ts);
    if (!context.streaming) return fail("feature_not_enabled");
    if (!threadTs) return fail("invalid_arguments");
    const problem = checkChannel(state, channel) ?? checkThread(state, channel, threadTs);
    if (problem) return fail(problem);
    // Bot tokens must name the recipient, in channels and DMs alike.
    if (!opt(p.recipient_team_id)) return fail("missing_recipient_team_id");
    if (!opt(p.recipient_user_id)) return fail("missing_recipient_user_id");
    const message = state.addMessage({
      channel,
      threadTs,
      text: "",
      markdownText: streamText(p),
      files: [],
      ...fromDatabot(),
      stream: {
        state: "streaming",
        startedAt: Date.now(),
        recipientTeam: str(p.recipient_team_id),
        recipientUser: str(p.recipient_user_id),
        appends: 0,
      },
    });
    return { ok: true, channel, ts: message.ts };
  },

  "chat.appendStream": (p, context) => {
    const message = streaming(context, p);
    if ("error" in message) return message;
    message.markdownText = (message.markdownText ?? "") + streamText(p);
    if (message.markdownText.length > MARKDOWN_LIMIT) return fail("msg_too_long");
    message.stream!.appends += 1;
    return { ok: true, channel: message.channel, ts: message.ts };
  },

  "chat.stopStream": (p, context) => {
    const message = streaming(context, p);
    if ("error" in message) return message;
    message.markdownText = (message.markdownText ?? "") + streamText(p);
    const blocks = json<Block[]>(p.blocks);
    if (blocks) message.blocks = [...(message.blocks ?? []), ...blocks];
    message.stream!.state = "stopped";
    return { ok: true, channel: message.channel, ts: message.ts, message: wire(message) };
  },

  "assistant.threads.setStatus": (p, { state }) => {
    const channel = str(p.channel_id);
    const threadTs = str(p.thread_ts);
    const loading = json<string[]>(p.loading_messages);
    if (!channel || !threadTs || p.status === undefined) return fail("invalid_arguments");
    if (loading && loading.length > 10) return fail("invalid_arguments");
    const problem = checkChannel(state, channel);
    if (problem) return fail(problem);
    const record = {
      channel,
      threadTs,
      status: str(p.status),
      ...(loading ? { loadingMessages: loading } : {}),
    };
    state.statusHistory.push(record);
    if (record.status === "") state.statuses.delete(statusKey(channel, threadTs));
    else state.statuses.set(statusKey(channel, threadTs), record);
    return { ok: true };
  },

  "assistant.threads.setSuggestedPrompts": (p, { state, agentView }) => {
    const prompts = json<{ title: string; message: string }[]>(p.prompts) ?? [];
    if (!str(p.channel_id) || prompts.length === 0 || prompts.length > 4) return fail("invalid_arguments");
    // For agent apps a thread_ts makes the call silently do nothing (Slack's documented behaviour).
    if (!(agentView && opt(p.thread_ts)))
      state.suggestedPrompts.push({ channel: str(p.channel_id), title: opt(p.title), prompts });
    return { ok: true };
  },

  "assistant.threads.setTitle": (p, { state }) => {
    if (!str(p.channel_id) || !str(p.thread_ts) || !str(p.title)) return fail("invalid_arguments");
    state.titles.push({ channel: str(p.channel_id), threadTs: str(p.thread_ts), title: str(p.title) });
    return { ok: true };
  },

  "files.getUploadURLExternal": (p, { state, origin }) => {
    const length = Number(p.length);
    if (!str(p.filename) || !Number.isInteger(length) || length <= 0) return fail("invalid_arguments");
    const id = state.nextId("F");
    state.files.set(id, {
      id,
      name: str(p.filename),
      title: str(p.filename),
      mimetype: mimeFor(str(p.filename)),
      filetype: extension(str(p.filename)),
      bytes: Buffer.alloc(0),
      user: DATABOT.userId,
      created: Math.floor(Date.now() / 1000),
      snippetType: opt(p.snippet_type),
      altText: opt(p.alt_txt) ?? opt(p.alt_text),
      declaredLength: length,
      state: "awaiting_upload",
    });
    return { ok: true, upload_url: `${origin}/upload/v1/${id}`, file_id: id };
  },

  "files.completeUploadExternal": (p, { state }) => {
    const entries = json<{ id: string; title?: string }[]>(p.files) ?? [];
    if (entries.length === 0) return fail("invalid_arguments");
    const files = entries.map((e) => state.files.get(e.id));
    if (files.some((f) => !f || f.state !== "uploaded")) return fail("file_not_found");
    const blocks = json<Block[]>(p.blocks);
    // Slack answers internal_error for markdown blocks on a file share (section and rich_text work).
    if (blocks?.some((b) => b.type === "markdown")) return fail("internal_error");
    for (const [index, file] of files.entries()) {
      if (entries[index]!.title) file!.title = entries[index]!.title!;
      file!.state = "shared";
    }
    const channel = opt(p.channel_id);
    if (channel) {
      const problem = checkChannel(state, channel) ?? checkThread(state, channel, opt(p.thread_ts));
      if (problem) return fail(problem);
      const comment = opt(p.initial_comment);
      state.addMessage({
        channel,
        threadTs: opt(p.thread_ts),
        subtype: "file_share",
        text: comment ?? "",
        ...(comment === undefined && blocks ? { blocks } : {}),
        files: files.map((f) => f!.id),
        ...fromDatabot(),
      });
    }
    return { ok: true, files: files.map((f) => ({ id: f!.id, title: f!.title })) };
  },

  "files.info": (p, { state, origin }) => {
    const file = state.files.get(str(p.file));
    if (!file) return fail("file_not_found");
    return { ok: true, file: describeFile(file, origin) };
  },

  "conversations.info": (p, { state }) => {
    const channel = state.channels.get(str(p.channel));
    if (!channel) return fail("channel_not_found");
    return {
      ok: true,
      channel: {
        id: channel.id,
        name: channel.name,
        is_channel: channel.kind === "public",
        is_group: channel.kind === "private",
        is_im: channel.kind === "im",
        is_mpim: channel.kind === "mpim",
        is_private: channel.kind !== "public",
        is_ext_shared: false,
        is_member: channel.members.has(DATABOT.userId),
      },
    };
  },

  "users.info": (p, { state }) => {
    const user = state.users.get(str(p.user));
    if (!user) return fail("user_not_found");
    return {
      ok: true,
      user: {
        id: user.id,
        team_id: TEAM.id,
        name: user.name,
        real_name: user.realName,
        is_bot: user.isBot ?? false,
        profile: { display_name: user.displayName, real_name: user.realName },
      },
    };
  },

  "apps.connections.open": (_p, context) => ({ ok: true, url: context.socketUrl() }),
};

/** A message as chat.postMessage returns it. */
function wire(message: FakeMessage): Record<string, unknown> {
  return {
    type: "message",
    user: message.user,
    bot_id: message.botId,
    app_id: message.appId,
    text: message.text,
    ts: message.ts,
    ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
  };
}

function fromDatabot() {
  return { user: DATABOT.userId, botId: DATABOT.botId, appId: DATABOT.appId };
}

function streaming(context: ApiContext, p: Params): FakeMessage | { ok: false; error: string } {
  const message = context.state.message(str(p.channel), str(p.ts));
  if (!message) return fail("message_not_found");
  const stream = message.stream;
  const expired = stream && Date.now() - stream.startedAt >= context.streamLifetimeMs;
  if (!stream || stream.state !== "streaming" || expired) return fail("message_not_in_streaming_state");
  return message;
}

function checkChannel(state: SlackState, channel: string): string | undefined {
  if (!state.channels.has(channel)) return "channel_not_found";
  if (!state.isMember(channel, DATABOT.userId)) return "not_in_channel";
  return undefined;
}

function checkThread(state: SlackState, channel: string, threadTs: string | undefined): string | undefined {
  if (threadTs === undefined) return undefined;
  const root = state.message(channel, threadTs);
  if (!root) return "thread_not_found";
  if (root.threadTs && root.threadTs !== root.ts) return "invalid_thread_ts"; // a reply's ts, not the parent's
  return undefined;
}
