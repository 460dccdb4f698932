/**
 * Display names of the people who ask, so the agent can tell them apart in a shared thread. Looked up with
 * `users.info` (scope `users:read`) on the acknowledgement path, so the call is short, cached, and optional:
 * without an answer the message simply goes on without a name.
 */
import type { WebClient } from "@slack/web-api";
import type { Logger } from "../../../core/logger";
import { slackErrorCode } from "./slack-errors";
import { withTimeout } from "../../../core/async";

const TTL_MS = 3600_000;
const FAILED_TTL_MS = 300_000;
const MAX_ENTRIES = 10_000;
const LOOKUP_TIMEOUT_MS = 1000;

interface Entry {
  name?: string;
  until: number;
}

export class PeopleDirectory {
  private readonly names = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<string | undefined>>();
  private disabled = false;

  constructor(
    private readonly api: WebClient,
    private readonly logger: Logger,
  ) {}

  /** The person's display name, or undefined when Slack does not say in time. */
  async nameOf(userId: string | undefined): Promise<string | undefined> {
    if (!userId || this.disabled) return undefined;
    const cached = this.names.get(userId);
    if (cached && cached.until > Date.now()) return cached.name;
    let lookup = this.inFlight.get(userId);
    if (!lookup) {
      lookup = this.lookUp(userId).finally(() => this.inFlight.delete(userId));
      this.inFlight.set(userId, lookup);
    }
    return lookup;
  }

  private async lookUp(userId: string): Promise<string | undefined> {
    let name: string | undefined;
    let ttl = TTL_MS;
    try {
      const result = await withTimeout(this.api.users.info({ user: userId }), LOOKUP_TIMEOUT_MS);
      const user = result.user;
      name = user?.profile?.display_name || user?.real_name || user?.name || undefined;
    } catch (error) {
      ttl = FAILED_TTL_MS;
      if (slackErrorCode(error) === "missing_scope") {
        this.disabled = true;
        this.logger.warn(
          {},
          "Slack app lacks users:read; questions go to the agent without the asker's name",
        );
      }
    }
    if (this.names.size >= MAX_ENTRIES) this.names.clear();
    this.names.set(userId, { name, until: Date.now() + ttl });
    return name;
  }
}
