import { EnvReader, readIdList, schemas } from "./env-reader";

/** Slack. Present when `SLACK_BOT_TOKEN` is set. */
export interface SlackConfig {
  botToken: string;
  /** HTTP Events API mode: requests to `POST /slack/events` are verified with it. */
  signingSecret?: string;
  /** Socket Mode (development): an app-level token `xapp-...`. */
  appToken?: string;
  /** Web API base URL, ending in `/api/` (tests and proxies). */
  apiUrl: string;
  /** Answer messages from other bots too (databot's own are always ignored). */
  answerBots: boolean;
  /**
   * Slack workspaces (team ids, `T…`) whose members databot answers; absent: everyone who can reach it. Others
   * (people from another organization in a Slack Connect channel) get one polite refusal.
   */
  allowedTeams?: string[];
}

export function readSlackConfig(r: EnvReader): SlackConfig | undefined {
  if (!r.has("SLACK_BOT_TOKEN")) return undefined;
  const botToken = r.read("SLACK_BOT_TOKEN", schemas.text().regex(/^xoxb-/, "a bot token starts with xoxb-"));
  const signingSecret = r.read("SLACK_SIGNING_SECRET", schemas.text());
  const appToken = r.read(
    "SLACK_APP_TOKEN",
    schemas.text().regex(/^xapp-/, "an app-level token starts with xapp-"),
  );
  if (!signingSecret && !appToken && !r.has("SLACK_SIGNING_SECRET") && !r.has("SLACK_APP_TOKEN")) {
    r.fail(
      "SLACK_SIGNING_SECRET (HTTP events) or SLACK_APP_TOKEN (Socket Mode) is required when SLACK_BOT_TOKEN is set",
    );
  }
  let apiUrl = r.read("SLACK_API_URL", schemas.url(), "https://slack.com/api/") ?? "https://slack.com/api/";
  if (!apiUrl.endsWith("/")) apiUrl += "/";
  if (!botToken) return undefined;
  return {
    botToken,
    signingSecret,
    appToken,
    apiUrl,
    answerBots: r.read("SLACK_ANSWER_BOTS", schemas.bool(), "false") ?? false,
    allowedTeams: readIdList(r, "ALLOWED_SLACK_TEAMS", /^T[A-Z0-9]{2,}$/, "a Slack team id (T…)"),
  };
}
