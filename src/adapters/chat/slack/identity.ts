/**
 * Who databot is on Slack. Every event names the bot user in its `authorizations` and the app in
 * `api_app_id`, so events never wait for `auth.test`; `auth.test` at start adds the bot id and checks the
 * token early, with a log line naming the variable when Slack rejects it.
 */
import type { WebClient } from "@slack/web-api";
import type { Logger } from "../../../core/logger";
import { slackErrorCode } from "./slack-errors";
import type { BotIdentity, SlackEnvelope } from "./slack-types";

const REJECTED_TOKEN = new Set([
  "invalid_auth",
  "not_authed",
  "account_inactive",
  "token_revoked",
  "token_expired",
]);

export class BotIdentityCache {
  private known: BotIdentity = {};
  private checking?: Promise<void>;

  constructor(
    private readonly api: WebClient,
    private readonly logger: Logger,
  ) {}

  /** Asks Slack who the token belongs to; a failure is logged and the check runs again on the next call. */
  verify(): Promise<void> {
    this.checking ??= this.api.auth
      .test()
      .then((result) => {
        this.known = {
          userId: result.user_id ?? this.known.userId,
          botId: result.bot_id ?? this.known.botId,
          appId: this.known.appId,
          teamId: result.team_id ?? this.known.teamId,
        };
        this.logger.info({ team: result.team_id, botUser: result.user_id }, "Slack bot token verified");
      })
      .catch((error: unknown) => {
        this.checking = undefined;
        const code = slackErrorCode(error);
        if (code && REJECTED_TOKEN.has(code)) {
          this.logger.error(
            { code },
            "Slack rejected SLACK_BOT_TOKEN: check the token and that the app is installed",
          );
        } else {
          this.logger.warn({ code }, "could not verify SLACK_BOT_TOKEN with Slack yet; will try again");
        }
      });
    return this.checking;
  }

  /**
   * Whether an event was delivered for databot's own workspace (its envelope or its authorizations name the
   * token's team). Unknown until `auth.test` answers: then it is asked again, and an event that still cannot be
   * judged throws, so Slack delivers it again later.
   */
  async ownsWorkspace(envelope: SlackEnvelope): Promise<boolean> {
    if (!this.known.teamId) await this.verify();
    const own = this.known.teamId;
    if (!own) throw new Error("databot's Slack workspace is not known yet (auth.test has not answered)");
    return envelope.team_id === own || (envelope.authorizations ?? []).some((a) => a.team_id === own);
  }

  /** What is known so far. */
  current(): BotIdentity {
    return { ...this.known };
  }

  /** The identity as an event states it (bot user from its authorizations, app from `api_app_id`). */
  fromEnvelope(envelope: SlackEnvelope): BotIdentity {
    const auth = envelope.authorizations?.find((a) => a.is_bot);
    if (auth?.user_id && !this.known.userId) this.known.userId = auth.user_id;
    if (envelope.api_app_id && !this.known.appId) this.known.appId = envelope.api_app_id;
    return {
      userId: auth?.user_id ?? this.known.userId,
      botId: this.known.botId,
      appId: envelope.api_app_id ?? this.known.appId,
    };
  }
}
