/**
 * `POST /api/messages`: authenticates what Teams sends and acknowledges it at once. A message is normalized, its
 * channel files are looked up through Graph, and it is handed to the durable inbox; the answer follows later,
 * proactively. Card clicks ("Show code"), file consent answers and installs are handled here directly.
 */
import type { Request, Response } from "express";
import { ActivityTypes, TurnContext, type Activity } from "botbuilder";
import { HELP_TEXT } from "../../../core/conversation/commands";
import { asDatabotError } from "../../../core/errors";
import { mimeTypeFor } from "../../../core/files/file-types";
import type { Logger } from "../../../core/logger";
import type { KeyValueSpace, MessageSink, ThreadMap } from "../../../core/ports";
import type { CodeRun } from "../../../core/types";
import type { BotAuth } from "./auth";
import { codeMessageText, showCodeActionOf } from "./cards";
import { refuseUnlessLocal } from "./local-access";
import type { FileDelivery } from "./file-delivery";
import { GraphError, type GraphClient } from "./graph-client";
import { normalizeActivity, teamsContextOf, type NormalizedActivity } from "./normalize";
import type { DatabotCloudAdapter, TeamsSender } from "./sender";
import { RefusalGate } from "../refusals";
import { GRAPH_NOT_CONFIGURED } from "./surface";

export interface TeamsReceiverDeps {
  adapter: DatabotCloudAdapter;
  auth: BotAuth;
  sink: MessageSink;
  /** "Show code" records, by the key the button carries. */
  codes: KeyValueSpace;
  /** How many days they are kept (`RETENTION_DAYS`), for the answer to a click on an expired one. */
  codeDays: number;
  threads: Pick<ThreadMap, "getThread">;
  files: FileDelivery;
  graph?: GraphClient;
  /** Sends the refusal to conversations of tenants databot does not serve. */
  sender: TeamsSender;
  /** Tenants whose conversations databot answers (`ALLOWED_TEAMS_TENANTS`, lower case); absent: every tenant. */
  allowedTenants?: readonly string[];
  logger: Logger;
}

/** What a conversation in a tenant databot does not serve is told, once. */
export const NOT_SERVED_TEXT =
  "Sorry, I can only answer people from the organizations this databot is set up for, so I can't help with this. If you think you should have access, please ask the people who run databot.";

export class TeamsReceiver {
  private readonly refusals = new RefusalGate();

  constructor(private readonly deps: TeamsReceiverDeps) {}

  /** The Express handler for the Bot Framework messaging endpoint. */
  readonly handle = async (req: Request, res: Response): Promise<void> => {
    const activity = req.body as Activity | undefined;
    if (!isActivity(activity)) {
      res.status(400).json({ error: "The body is not a Bot Framework activity." });
      return;
    }
    if (!this.deps.auth.appId) {
      const refused = refuseUnlessLocal(req, activity.serviceUrl);
      if (refused) {
        this.deps.logger.warn({ reason: refused }, "unauthenticated Teams request from elsewhere refused");
        res
          .status(403)
          .json({ error: "Without an app id this endpoint answers requests from this machine only." });
        return;
      }
    }
    let auth;
    try {
      auth = await this.deps.auth.authentication.authenticateRequest(
        activity,
        req.headers.authorization ?? "",
      );
    } catch (error) {
      // The reason helps an admin (wrong app id, expired token); the token itself is never logged.
      this.deps.logger.warn(
        { reason: String((error as Error).message).slice(0, 200) },
        "Teams request refused",
      );
      res.status(401).json({ error: "Unauthorized." });
      return;
    }
    const tenant = tenantOf(activity);
    const allowed = this.deps.allowedTenants;
    if (allowed && !(tenant && allowed.includes(tenant))) {
      // Acknowledged, so Teams does not retry; a message hears one sentence, anything else nothing at all.
      res.status(200).end();
      this.refuse(activity, tenant);
      return;
    }
    try {
      // A question needs no turn context: it is recorded and answered later, so skip the adapter's turn setup.
      if (activity.type === ActivityTypes.Message && activity.value === undefined) {
        await this.takeQuestion(activity);
        res.status(200).end();
        return;
      }
      const invokeResponse = await this.deps.adapter.run(auth, activity, (context) => this.onTurn(context));
      if (invokeResponse) res.status(invokeResponse.status).json(invokeResponse.body ?? {});
      else res.status(200).end();
    } catch (error) {
      this.deps.logger.error({ err: asDatabotError(error), type: activity.type }, "Teams activity failed");
      res.status(500).json({ error: "databot could not take this message; Teams will retry." });
    }
  };

  /** One polite sentence to an addressed message (once per conversation); nothing recorded or downloaded. */
  private refuse(activity: Activity, tenant: string | undefined): void {
    const question = activity.type === ActivityTypes.Message && activity.value === undefined;
    const normalized = question
      ? normalizeActivity(activity, TurnContext.getConversationReference(activity))
      : undefined;
    const tell =
      normalized?.addressed === true &&
      this.refusals.shouldRefuse(tenant ?? "unknown", normalized.message.threadId);
    this.deps.logger.info(
      { tenant, type: activity.type, told: tell },
      "activity from a tenant not in ALLOWED_TEAMS_TENANTS refused",
    );
    if (!tell || !normalized) return;
    const { reference } = teamsContextOf(normalized.message);
    this.deps.sender
      .send(reference, [{ type: ActivityTypes.Message, text: NOT_SERVED_TEXT }])
      .catch((error: unknown) =>
        this.deps.logger.warn({ err: asDatabotError(error) }, "could not send the refusal"),
      );
  }

  private async onTurn(context: TurnContext): Promise<void> {
    const { activity } = context;
    switch (activity.type) {
      case ActivityTypes.Message:
        return this.onMessage(context);
      case ActivityTypes.Invoke:
        if (activity.name === "fileConsent/invoke") {
          const value = await this.deps.files.onConsent(context);
          await context.sendActivity({ type: ActivityTypes.InvokeResponse, value });
        }
        return; // other invokes get 501 from the adapter
      case ActivityTypes.ConversationUpdate:
        return this.onConversationUpdate(context);
      default:
        return;
    }
  }

  private async onMessage(context: TurnContext): Promise<void> {
    const { activity } = context;
    const action = showCodeActionOf(activity.value);
    if (action) return this.showCode(context, action.key);
    if (activity.value !== undefined && !activity.text) return; // a click on some other card: nothing to answer
    return this.takeQuestion(activity);
  }

  /** Normalizes a message, finds its channel files, and records it in the inbox (deduplicated). */
  private async takeQuestion(activity: Activity): Promise<void> {
    const normalized = normalizeActivity(activity, TurnContext.getConversationReference(activity));
    if (!normalized.addressed) return; // a channel message that does not mention databot
    await this.addChannelFiles(normalized);
    const { message } = normalized;
    const notices = teamsContextOf(message).fileNotices ?? [];
    // A bare mention ("@databot") asks what databot does.
    if (message.text === "" && message.attachments.length === 0 && notices.length === 0)
      message.text = "help";
    const result = await this.deps.sink.receive(message);
    this.deps.logger.debug(
      { messageId: message.id, status: result.status, scope: normalized.scope },
      "Teams message taken",
    );
  }

  /** Channels and group chats: Teams does not hand files to bots, so read the message through Graph. */
  private async addChannelFiles(normalized: NormalizedActivity): Promise<void> {
    const location = normalized.graphLookup;
    if (!location) return;
    const { message } = normalized;
    const context = teamsContextOf(message);
    const notices: string[] = [];
    if (!this.deps.graph) {
      if (normalized.hasFilePlaceholders) notices.push(GRAPH_NOT_CONFIGURED);
    } else {
      try {
        const files = await this.deps.graph.messageFiles(location, context.tenantId);
        // Mentioned for the first time in a reply: the file is usually in the post that started the chain.
        if (location.kind === "channel" && location.rootId !== location.messageId) {
          if (!(await this.deps.threads.getThread(message.threadId))) {
            const root = { ...location, messageId: location.rootId };
            files.push(...(await this.deps.graph.messageFiles(root, context.tenantId)));
          }
        }
        const seen = new Set<string>();
        for (const file of files) {
          if (seen.has(file.contentUrl)) continue;
          seen.add(file.contentUrl);
          message.attachments.push({
            name: file.name,
            mimeType: mimeTypeFor(file.name),
            ref: { kind: "graph-share", url: file.contentUrl },
          });
        }
      } catch (error) {
        const failure = asDatabotError(error);
        this.deps.logger.warn({ err: failure }, "could not read the Teams message through Microsoft Graph");
        const denied = error instanceof GraphError && (error.status === 401 || error.status === 403);
        if (normalized.hasFilePlaceholders || denied) {
          notices.push(`I couldn't open the files shared with this message: ${failure.userMessage}.`);
        }
      }
    }
    if (notices.length > 0) message.context = { ...message.context, fileNotices: notices };
  }

  private async showCode(context: TurnContext, key: string): Promise<void> {
    const runs = await this.deps.codes.get(key);
    const text =
      Array.isArray(runs) && runs.length > 0
        ? codeMessageText(runs as unknown as CodeRun[])
        : `That code is no longer available (it is kept for ${this.deps.codeDays} days).`;
    await context.sendActivity({ type: ActivityTypes.Message, text, textFormat: "markdown" });
  }

  private async onConversationUpdate(context: TurnContext): Promise<void> {
    const { activity } = context;
    const botId = activity.recipient?.id;
    if (!(activity.membersAdded ?? []).some((member) => member.id === botId)) return;
    const personal = (activity.conversation?.conversationType ?? "personal") === "personal";
    const text = personal
      ? HELP_TEXT
      : "Hi, I'm **databot**. Share a CSV or Excel file in a post, mention me with a question " +
        '(for example *"@databot chart monthly revenue by region"*), and I\'ll answer in the reply chain.';
    await context.sendActivity({ type: ActivityTypes.Message, text, textFormat: "markdown" });
  }
}

/** The Microsoft Entra tenant a conversation belongs to, in lower case. */
function tenantOf(activity: Activity): string | undefined {
  const channelData = (activity.channelData ?? {}) as { tenant?: { id?: unknown } };
  const id = channelData.tenant?.id ?? activity.conversation.tenantId;
  return typeof id === "string" && id !== "" ? id.toLowerCase() : undefined;
}

function isActivity(value: unknown): value is Activity {
  const a = value as Partial<Activity> | undefined;
  return (
    typeof a === "object" &&
    a !== null &&
    typeof a.type === "string" &&
    typeof a.serviceUrl === "string" &&
    typeof a.conversation?.id === "string"
  );
}
