/**
 * Events as Slack sends them: the `event_callback` envelope (team_id, api_app_id, event_id, event_time,
 * authorizations), `block_actions` payloads for button clicks, and the signature Slack puts on each HTTP
 * request: `v0=HMAC-SHA256(signing secret, "v0:" + timestamp + ":" + raw body)`.
 */
import { createHmac } from "node:crypto";
import { DATABOT, TEAM } from "./state";

export interface EventEnvelope {
  token: string;
  team_id: string;
  api_app_id: string;
  event: Record<string, unknown>;
  type: "event_callback";
  event_id: string;
  event_time: number;
  authorizations: {
    enterprise_id: null;
    team_id: string;
    user_id: string;
    is_bot: true;
    is_enterprise_install: false;
  }[];
  is_ext_shared_channel: boolean;
  event_context: string;
}

let eventCounter = 0;

/** Wraps an event in Slack's envelope with a fresh `event_id`. */
export function envelope(event: Record<string, unknown>): EventEnvelope {
  eventCounter += 1;
  const id = `Ev0${String(eventCounter).padStart(8, "0")}`;
  return {
    token: "legacy-verification-token",
    team_id: TEAM.id,
    api_app_id: DATABOT.appId,
    event: { ...event, event_ts: event.event_ts ?? event.ts ?? `${Math.floor(Date.now() / 1000)}.000000` },
    type: "event_callback",
    event_id: id,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      {
        enterprise_id: null,
        team_id: TEAM.id,
        user_id: DATABOT.userId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(id).toString("base64url")}`,
  };
}

/** Slack's request signature for `body` sent at `timestamp` (seconds). */
function sign(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

export interface SignedPost {
  url: string;
  body: string;
  contentType: "application/json" | "application/x-www-form-urlencoded";
  secret: string;
  /** Seconds; now by default. */
  timestamp?: number;
  retryNum?: number;
  retryReason?: string;
}

/** Posts a signed request the way Slack does; resolves with the status and body of the app's response. */
export async function postSigned(post: SignedPost): Promise<{ status: number; body: string }> {
  const timestamp = post.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    "content-type": post.contentType,
    "x-slack-request-timestamp": String(timestamp),
    "x-slack-signature": sign(post.secret, timestamp, post.body),
    "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
  };
  if (post.retryNum !== undefined) {
    headers["x-slack-retry-num"] = String(post.retryNum);
    headers["x-slack-retry-reason"] = post.retryReason ?? "http_timeout";
  }
  const response = await fetch(post.url, { method: "POST", headers, body: post.body });
  return { status: response.status, body: await response.text() };
}

export interface ButtonClick {
  user: string;
  channel: string;
  messageTs: string;
  threadTs?: string;
  actionId: string;
  blockId: string;
  value: string;
  label: string;
}

/** The `block_actions` payload of a button click. */
export function blockActions(click: ButtonClick): Record<string, unknown> {
  const now = Date.now() / 1000;
  return {
    type: "block_actions",
    user: {
      id: click.user,
      username: click.user.toLowerCase(),
      name: click.user.toLowerCase(),
      team_id: TEAM.id,
    },
    api_app_id: DATABOT.appId,
    token: "legacy-verification-token",
    container: {
      type: "message",
      message_ts: click.messageTs,
      channel_id: click.channel,
      is_ephemeral: false,
      ...(click.threadTs ? { thread_ts: click.threadTs } : {}),
    },
    trigger_id: `${Math.floor(now)}.1.abcdef`,
    team: { id: TEAM.id, domain: TEAM.domain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: click.channel, name: click.channel.toLowerCase() },
    message: {
      type: "message",
      ts: click.messageTs,
      ...(click.threadTs ? { thread_ts: click.threadTs } : {}),
    },
    state: { values: {} },
    response_url: "https://hooks.slack.com/actions/T0ACME/1/unused",
    actions: [
      {
        action_id: click.actionId,
        block_id: click.blockId,
        text: { type: "plain_text", text: click.label, emoji: true },
        value: click.value,
        type: "button",
        action_ts: now.toFixed(6),
      },
    ],
  };
}
