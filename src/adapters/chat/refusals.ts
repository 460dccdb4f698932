/**
 * Messages from a workspace or tenant that databot does not serve (`ALLOWED_SLACK_TEAMS`,
 * `ALLOWED_TEAMS_TENANTS`) get one polite sentence and nothing else: nothing is recorded, nothing downloaded.
 * This decides when that sentence is said — once per conversation thread, and at most a few times an hour per
 * outside workspace, so that however many messages arrive, databot never answers them with a storm of refusals.
 */

const THREAD_MEMORY_MS = 24 * 3600_000;
const MAX_THREADS = 10_000;
const PER_ORGANIZATION_PER_HOUR = 20;

export class RefusalGate {
  private readonly threads = new Map<string, number>();
  private readonly organizations = new Map<string, { since: number; count: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** True when the thread should be told (the first message there lately); false: say nothing. */
  shouldRefuse(organization: string, thread: string): boolean {
    const now = this.now();
    const told = this.threads.get(thread);
    if (told !== undefined && now - told < THREAD_MEMORY_MS) return false;
    const window = this.organizations.get(organization);
    if (window && now - window.since < 3600_000) {
      if (window.count >= PER_ORGANIZATION_PER_HOUR) return false;
      window.count += 1;
    } else {
      this.organizations.set(organization, { since: now, count: 1 });
    }
    if (this.threads.size >= MAX_THREADS) this.forgetOld(now);
    this.threads.set(thread, now);
    return true;
  }

  private forgetOld(now: number): void {
    for (const [thread, at] of this.threads) if (now - at >= THREAD_MEMORY_MS) this.threads.delete(thread);
    // Still full: forget the oldest half rather than grow without bound.
    if (this.threads.size >= MAX_THREADS) {
      const keep = [...this.threads].slice(Math.floor(MAX_THREADS / 2));
      this.threads.clear();
      for (const [thread, at] of keep) this.threads.set(thread, at);
    }
    for (const [org, window] of this.organizations)
      if (now - window.since >= 3600_000) this.organizations.delete(org);
  }
}
