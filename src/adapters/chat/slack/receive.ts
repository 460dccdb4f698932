/**
 * Receives Slack events: decides whether a message is for databot, normalizes it (with the asker's cached name
 * and, for Slack Connect files, what `files.info` says: short lookups with timeouts) and awaits the durable
 * insert into the inbox. No analysis happens here, so Slack is acknowledged well within its 3 seconds (the
 * HTTP response, or the Socket Mode ack, is sent once the listener returns). Retries and the `app_mention`/`message` twin of one
 * message carry the same message id, so the inbox keeps one. A failed insert makes Slack deliver again.
 */
import type { App } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import type { Logger } from "../../../core/logger";
import type { MessageSink } from "../../../core/ports";
import type { BotIdentityCache } from "./identity";
import type { SlackMemory } from "./memory";
import {
  classify,
  normalizeMessage,
  slackMessageId,
  slackThreadId,
  threadOf,
  workspaceOf,
} from "./normalize";
import type { PeopleDirectory } from "./people";
import { isTransient, slackErrorCode } from "./slack-errors";
import type { SlackEnvelope, SlackFile, SlackMessageEvent } from "./slack-types";
import { withTimeout } from "../../../core/async";
import { RefusalGate } from "../refusals";

const FILE_INFO_TIMEOUT_MS = 1500;
const RECENT_IDS = 20_000;
const RECENT_TTL_MS = 10 * 60_000;
const TITLE_LIMIT = 80;

/** What people see when they open databot's messages tab: starting points for a data question. */
const SUGGESTED_PROMPTS = [
  { title: "Chart a CSV", message: "I'll share a CSV: make a bar chart of the main numbers by category." },
  {
    title: "Summarize a spreadsheet",
    message: "I'll share an Excel file: summarize each sheet and its columns.",
  },
  { title: "Monthly trend", message: "Plot the monthly totals as a line chart and describe the trend." },
  { title: "What can you do?", message: "help" },
];

export interface SlackEventsDeps {
  sink: MessageSink;
  memory: SlackMemory;
  identity: BotIdentityCache;
  people: PeopleDirectory;
  /** For short calls on the acknowledgement path (`files.info`) and background ones (prompts, titles). */
  quick: WebClient;
  answerBots: boolean;
  /** Workspaces whose members databot answers (`ALLOWED_SLACK_TEAMS`); absent: everyone. */
  allowedTeams?: readonly string[];
  logger: Logger;
}

/** What someone from a workspace databot does not serve is told, once per thread. */
export const NOT_SERVED_TEXT =
  "Sorry, I can only answer people from the workspaces this databot is set up for, so I can't help with this. If you think you should have access, please ask the people who run databot.";

export class SlackEvents {
  /** Messages this process recorded lately; the inbox stays the judge of duplicates across replicas. */
  private readonly recorded = new RecentIds(RECENT_IDS, RECENT_TTL_MS);
  private readonly refusals = new RefusalGate();

  constructor(private readonly deps: SlackEventsDeps) {}

  register(app: App): void {
    app.event("app_mention", async ({ event, body }) => {
      await this.onMessage(event as unknown as SlackMessageEvent, body as SlackEnvelope);
    });
    app.event("message", async ({ event, body }) => {
      await this.onMessage(event as unknown as SlackMessageEvent, body as SlackEnvelope);
    });
    // Opening databot's messages tab (the agent container): offer starting points.
    app.event("app_home_opened", async ({ event }) => {
      if (event.tab === "messages") this.background(this.suggestPrompts(event.channel), "suggested prompts");
    });
    app.event("assistant_thread_started", async ({ event }) => {
      this.background(this.suggestPrompts(event.assistant_thread.channel_id), "suggested prompts");
    });
  }

  /** Normalizes a message event and hands it to the inbox if it is for databot. */
  async onMessage(event: SlackMessageEvent, envelope: SlackEnvelope): Promise<void> {
    const identity = this.deps.identity.fromEnvelope(envelope);
    const addressing = classify(event, { identity, answerBots: this.deps.answerBots });
    if (addressing === "ignore") return;
    const team = workspaceOf(envelope);
    if (!team) {
      this.deps.logger.warn({ eventId: envelope.event_id }, "Slack event without a team id ignored");
      return;
    }
    if (!(await this.deps.identity.ownsWorkspace(envelope))) {
      this.deps.logger.warn(
        { eventId: envelope.event_id, team },
        "Slack event for another workspace ignored",
      );
      return;
    }
    // The app_mention/message twin or a retry of a message this process already recorded: nothing to do.
    const messageId = slackMessageId(team, event.channel, event.ts);
    if (this.recorded.has(messageId)) return;
    const threadId = slackThreadId(threadOf(event, team));
    // A message that starts its thread cannot be in one databot already answers (its own twin and retries are
    // caught above and by the inbox's dedupe), so only replies cost a store read.
    const startsThread = !event.thread_ts || event.thread_ts === event.ts;
    const known = startsThread ? undefined : await this.deps.memory.databotThread(threadId);
    if (addressing === "thread_reply" && !known) return;
    // Slack Connect brings people from other organizations into shared channels: the author's team decides.
    const authorTeam = event.user_team ?? event.team ?? team;
    const allowed = this.deps.allowedTeams;
    if (allowed && !allowed.includes(authorTeam)) return this.refuse(event, authorTeam, threadId);
    const [authorName, files] = await Promise.all([
      this.deps.people.nameOf(event.user),
      this.describeFiles(event.files ?? []),
    ]);
    const message = normalizeMessage({ ...event, files }, envelope, { identity, authorName });
    // Remembered before the insert, so a follow-up right behind this message already finds the thread.
    await this.deps.memory.rememberThread(threadId, known);
    const result = await this.deps.sink.receive(message);
    this.recorded.add(message.id);
    this.deps.logger.debug(
      { messageId: message.id, addressing, status: result.status },
      "Slack message received",
    );
    if (result.status === "accepted" && !known && addressing === "direct") {
      this.background(this.titleThread(event, message.text), "thread title");
    }
  }

  /** One polite sentence in the thread (once per thread), and nothing recorded, downloaded or looked up. */
  private refuse(event: SlackMessageEvent, authorTeam: string, threadId: string): void {
    const tell = this.refusals.shouldRefuse(authorTeam, threadId);
    this.deps.logger.info(
      { team: authorTeam, channel: event.channel, told: tell },
      "message from a workspace not in ALLOWED_SLACK_TEAMS refused",
    );
    if (!tell) return;
    this.background(
      this.deps.quick.chat
        .postMessage({
          channel: event.channel,
          thread_ts: event.thread_ts ?? event.ts,
          text: NOT_SERVED_TEXT,
        })
        .then(() => undefined),
      "refusal",
    );
  }

  /**
   * Slack Connect files arrive as `{id, file_access: "check_file_info"}` without a name: `files.info` says what
   * they are, so the file policy can judge them. A failure Slack may not repeat is thrown (Slack delivers the
   * event again); a lasting one leaves the id as the name, and the policy then explains the refusal.
   */
  private async describeFiles(files: SlackFile[]): Promise<SlackFile[]> {
    return Promise.all(
      files.map(async (file) => {
        if (file.file_access !== "check_file_info" && file.name) return file;
        try {
          const info = await withTimeout(this.deps.quick.files.info({ file: file.id }), FILE_INFO_TIMEOUT_MS);
          return { ...file, ...(info.file as SlackFile), file_access: file.file_access };
        } catch (error) {
          if (isTransient(error)) throw error;
          this.deps.logger.warn({ fileId: file.id, code: slackErrorCode(error) }, "files.info failed");
          return { ...file, name: file.name ?? file.id };
        }
      }),
    );
  }

  private async suggestPrompts(channel: string): Promise<void> {
    // Agent apps set prompts for the messages tab without a thread_ts (with one, Slack ignores the call).
    await this.deps.quick.assistant.threads.setSuggestedPrompts({
      channel_id: channel,
      title: "Ask databot about your data",
      prompts: SUGGESTED_PROMPTS,
    } as Parameters<WebClient["assistant"]["threads"]["setSuggestedPrompts"]>[0]);
  }

  private async titleThread(event: SlackMessageEvent, text: string): Promise<void> {
    const fileName = event.files?.[0]?.name;
    const source = text || (fileName ? `Data in ${fileName}` : "Data question");
    const title = source.length > TITLE_LIMIT ? `${source.slice(0, TITLE_LIMIT - 1)}…` : source;
    await this.deps.quick.assistant.threads.setTitle({
      channel_id: event.channel,
      thread_ts: event.thread_ts ?? event.ts,
      title,
    });
  }

  private background(work: Promise<void>, what: string): void {
    work.catch((error: unknown) => {
      this.deps.logger.debug({ code: slackErrorCode(error) ?? String(error) }, `${what} failed`);
    });
  }
}

/** A bounded set of ids that forgets each one after `ttlMs`. */
class RecentIds {
  private readonly until = new Map<string, number>();

  constructor(
    private readonly max: number,
    private readonly ttlMs: number,
  ) {}

  has(id: string): boolean {
    const until = this.until.get(id);
    return until !== undefined && until > Date.now();
  }

  add(id: string): void {
    if (this.until.size >= this.max) {
      const now = Date.now();
      for (const [key, until] of this.until) if (until <= now) this.until.delete(key);
      if (this.until.size >= this.max) this.until.clear();
    }
    this.until.set(id, Date.now() + this.ttlMs);
  }
}
