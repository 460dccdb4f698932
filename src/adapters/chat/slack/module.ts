/**
 * Builds the Slack surface module from the configuration: the Bolt app (HTTP events at `POST /slack/events` on
 * the shared server, or Socket Mode when an app-level token is set), the listeners, and the chat surface the
 * core answers through. Interactivity (the "Show code" button) arrives the same way as events in both modes.
 */
import { App, ExpressReceiver, type Receiver } from "@slack/bolt";
import { WebClient } from "@slack/web-api";
import type { SlackConfig } from "../../../config";
import type { Logger } from "../../../core/logger";
import { bodyDeadline } from "../http";
import type { SurfaceDeps, SurfaceModule } from "../surface-module";
import { SlackDownloader } from "./download";
import { BotIdentityCache } from "./identity";
import { SlackMemory } from "./memory";
import { PeopleDirectory } from "./people";
import { SlackEvents } from "./receive";
import { SlackReplier } from "./reply";
import { rejectFutureTimestamps } from "./request-time";
import { ShowCode } from "./show-code";
import { slackLogger } from "./slack-logger";
import { DurableSocketModeReceiver } from "./socket-receiver";
import { SlackSurface } from "./surface";
import { DEFAULT_TIMINGS, type SlackTimings } from "./timings";

/** An event is a few kilobytes: its body arrives well within this. */
const SMALL_BODY_MS = 30_000;

/** The path Slack posts events and interactions to in HTTP mode. */
const SLACK_EVENTS_PATH = "/slack/events";

/** Tuning that deployments leave alone; tests shorten it. */
export interface SlackModuleOptions {
  timings?: Partial<SlackTimings>;
}

/** The Slack surface, from its own configuration section. */
export function createSlackModule(
  deps: SurfaceDeps,
  slack: SlackConfig,
  options: SlackModuleOptions = {},
): SurfaceModule {
  const logger = deps.logger.child({ surface: "slack" });
  const clients = webClients(slack, logger);
  const memory = new SlackMemory(deps.spaces, deps.settings.retentionDays);
  const identity = new BotIdentityCache(clients.quick, logger);
  const timings = { ...DEFAULT_TIMINGS, ...options.timings };
  const surface = new SlackSurface(
    {
      quick: clients.quick,
      api: clients.api,
      replier: new SlackReplier({ api: clients.api, memory, logger }),
      // Workspaces that refused native streaming; every turn there posts and edits instead.
      noStreaming: new Set<string>(),
      timings,
      logger,
    },
    new SlackDownloader({
      botToken: slack.botToken,
      apiUrl: slack.apiUrl,
      api: clients.api,
      outbound: deps.outbound,
      maxBytes: deps.settings.maxFileBytes,
      logger,
    }),
  );

  const socketMode = slack.appToken !== undefined;
  const receiver: Receiver = socketMode
    ? new DurableSocketModeReceiver({ appToken: slack.appToken!, apiUrl: slack.apiUrl, logger })
    : new ExpressReceiver({
        signingSecret: slack.signingSecret!,
        endpoints: SLACK_EVENTS_PATH,
        // The response waits for the listener, which only records the message durably (milliseconds).
        processBeforeResponse: true,
        logger: slackLogger(logger),
      });
  const app = new App({
    receiver,
    authorize: async () => {
      const known = identity.current();
      return { botToken: slack.botToken, botUserId: known.userId, botId: known.botId };
    },
    logger: slackLogger(logger),
    convoStore: false,
  });
  app.error(async (error) => {
    logger.error({ code: error.code, err: error.message }, "Slack event handling failed");
    throw error; // HTTP answers 500 (Socket Mode does not ack), so Slack delivers the event again
  });
  new SlackEvents({
    sink: deps.sink,
    memory,
    identity,
    people: new PeopleDirectory(clients.quick, logger),
    quick: clients.quick,
    answerBots: slack.answerBots,
    allowedTeams: slack.allowedTeams,
    logger,
  }).register(app);
  new ShowCode({ api: clients.api, memory, logger }).register(app);

  return {
    surface,
    description: socketMode
      ? "Slack: Socket Mode (events and interactivity over the app-level token's WebSocket)"
      : `Slack: HTTP events and interactivity at POST ${SLACK_EVENTS_PATH}`,
    ...(socketMode
      ? {}
      : {
          mount: (server) => {
            server.post(SLACK_EVENTS_PATH, bodyDeadline(SMALL_BODY_MS), rejectFutureTimestamps);
            server.use((receiver as ExpressReceiver).router);
          },
        }),
    async start() {
      await identity.verify();
      if (socketMode) await app.start();
    },
    async stop() {
      if (socketMode) await app.stop();
    },
  };
}

/**
 * Two clients with the bot token, both bound to the configured Web API URL: `api` retries (replies must
 * land), `quick` neither retries nor waits out rate limits (status lines and live text are best effort).
 */
function webClients(slack: SlackConfig, logger: Logger): { api: WebClient; quick: WebClient } {
  const common = { slackApiUrl: slack.apiUrl, logger: slackLogger(logger) };
  return {
    api: new WebClient(slack.botToken, {
      ...common,
      retryConfig: { retries: 4, factor: 2, minTimeout: 500, maxTimeout: 10_000 },
      timeout: 60_000,
    }),
    quick: new WebClient(slack.botToken, {
      ...common,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: 10_000,
    }),
  };
}
