/**
 * Proactive sending: every reply, progress update and card goes out through a stored conversation reference
 * and `continueConversationAsync`, so nothing depends on the HTTP request Teams sent staying open.
 */
import { CloudAdapter, type Activity, type ConversationReference, type TurnContext } from "botbuilder";
import type { AuthenticateRequestResult } from "botframework-connector";

/** CloudAdapter that runs an activity whose request databot already authenticated, returning the invoke response. */
export class DatabotCloudAdapter extends CloudAdapter {
  run(auth: AuthenticateRequestResult, activity: Activity, logic: (context: TurnContext) => Promise<void>) {
    return this.processActivity(auth, activity, logic);
  }
}

export class TeamsSender {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
  ) {}

  /** Runs `work` with a turn context bound to the conversation of `reference`. */
  async inConversation<T>(
    reference: Partial<ConversationReference>,
    work: (context: TurnContext) => Promise<T>,
  ): Promise<T> {
    let result: T | undefined;
    await this.adapter.continueConversationAsync(this.appId, reference, async (context) => {
      result = await work(context);
    });
    return result as T;
  }

  /** Sends activities in order; returns their ids. */
  async send(reference: Partial<ConversationReference>, activities: Partial<Activity>[]): Promise<string[]> {
    return this.inConversation(reference, async (context) => {
      const ids: string[] = [];
      for (const activity of activities) ids.push((await context.sendActivity(activity))?.id ?? "");
      return ids;
    });
  }
}

/** The HTTP status of a failed connector call, if it has one. */
export function statusOf(error: unknown): number | undefined {
  const e = error as { statusCode?: number; status?: number; response?: { status?: number } };
  return e?.statusCode ?? e?.status ?? e?.response?.status;
}
