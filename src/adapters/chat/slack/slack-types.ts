/**
 * The parts of Slack's Events API payloads databot reads. Slack sends more; these are read defensively
 * because a field documented as present can be missing (Slack Connect files carry only an id).
 */

/** A file as it appears in a message event's `files[]` or in `files.info`. */
export interface SlackFile {
  id: string;
  name?: string;
  title?: string;
  mimetype?: string;
  filetype?: string;
  size?: number;
  /** "hosted" for uploaded files, "external" for links to other storage, "tombstone" for deleted ones. */
  mode?: string;
  url_private?: string;
  url_private_download?: string;
  /** "check_file_info" for Slack Connect files: the event has no URLs, `files.info` has them. */
  file_access?: string;
}

/** `message.*` and `app_mention` events. */
export interface SlackMessageEvent {
  type: "message" | "app_mention";
  subtype?: string;
  channel: string;
  /** Present on `message.*` events: "im", "mpim", "channel" (public) or "group" (private). */
  channel_type?: string;
  user?: string;
  bot_id?: string;
  app_id?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
  /** The team of the user who wrote the message (differs from the workspace in Slack Connect channels). */
  team?: string;
  user_team?: string;
  files?: SlackFile[];
}

/** The `event_callback` envelope around every event. */
export interface SlackEnvelope {
  type?: string;
  team_id?: string;
  api_app_id?: string;
  event_id?: string;
  event_time?: number;
  authorizations?: { team_id?: string | null; user_id?: string; is_bot?: boolean }[];
}

/** What databot knows about its own bot user, from the event's authorizations or `auth.test`. */
export interface BotIdentity {
  /** The bot's user id (U...), the one people @mention. */
  userId?: string;
  /** The bot id (B...) on messages databot posts. */
  botId?: string;
  /** The app id (A...), also on messages databot posts. */
  appId?: string;
  /** The workspace the bot token belongs to (T...), from `auth.test`. */
  teamId?: string;
}
