/**
 * The "Show code" button: posts the Python that produced an answer as a snippet in its thread. The click is
 * acknowledged at once; the snippet follows. The code was kept in the store when the answer was posted, so
 * the button works on any replica and after restarts, for as long as the store keeps it.
 */
import type { App, BlockButtonAction } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import type { Logger } from "../../../core/logger";
import { SHOW_CODE_ACTION } from "./blocks";
import type { SlackMemory, StoredCode } from "./memory";
import { slackErrorCode } from "./slack-errors";
import { shareFilesInThread } from "./upload";

export interface ShowCodeDeps {
  api: WebClient;
  memory: SlackMemory;
  logger: Logger;
}

export class ShowCode {
  /** Clicks being answered now, so a double click posts one snippet. */
  private readonly inFlight = new Set<string>();

  constructor(private readonly deps: ShowCodeDeps) {}

  register(app: App): void {
    app.action<BlockButtonAction>(SHOW_CODE_ACTION, async ({ ack, action, body }) => {
      await ack();
      const key = action.value ?? "";
      const channel = body.channel?.id ?? body.container?.channel_id;
      void this.show(key, body.user.id, channel).catch((error: unknown) => {
        this.deps.logger.warn({ code: slackErrorCode(error) ?? String(error) }, "could not post the code");
      });
    });
  }

  /** Posts the snippet, or tells the person (only them) why it cannot. */
  async show(key: string, userId: string, channel: string | undefined): Promise<void> {
    if (this.inFlight.has(key)) return;
    this.inFlight.add(key);
    try {
      const code = key ? await this.deps.memory.code(key) : undefined;
      if (!code) {
        const days = this.deps.memory.codeDays;
        if (channel)
          await this.tell(
            channel,
            userId,
            undefined,
            `The code behind this answer is no longer kept (databot keeps it for ${days} days).`,
          );
        return;
      }
      if (code.postedAt) {
        await this.tell(
          code.channel,
          userId,
          code.threadTs,
          "The code behind this answer is already posted in this thread.",
        );
        return;
      }
      await shareFilesInThread(this.deps.api, {
        channel: code.channel,
        threadTs: code.threadTs,
        items: [
          {
            name: "analysis.py",
            title: "The code behind this answer",
            data: Buffer.from(snippet(code)),
            snippetType: "python",
          },
        ],
        initialComment: `Here is the Python that ran for this answer, as <@${userId}> asked.`,
      });
      await this.deps.memory.markCodePosted(key, code, new Date().toISOString());
    } finally {
      this.inFlight.delete(key);
    }
  }

  private async tell(
    channel: string,
    user: string,
    threadTs: string | undefined,
    text: string,
  ): Promise<void> {
    await this.deps.api.chat.postEphemeral({
      channel,
      user,
      text,
      ...(threadTs ? { thread_ts: threadTs } : {}),
    });
  }
}

/** Every cell that ran, in order, as one Python file; what a cell printed follows it as comments. */
function snippet(code: StoredCode): string {
  const parts = code.cells.map((cell, index) => {
    const header = code.cells.length > 1 ? `# --- step ${index + 1} ---\n` : "";
    const output = cell.output?.trim()
      ? `\n# output:\n${cell.output
          .trim()
          .split("\n")
          .map((line) => `#   ${line}`)
          .join("\n")}`
      : "";
    return `${header}${cell.code.trimEnd()}${output}`;
  });
  return `${parts.join("\n\n")}\n`;
}
