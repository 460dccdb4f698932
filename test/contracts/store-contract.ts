/**
 * The Store contract: what the core relies on from every store, written once and run against SQLite and
 * PostgreSQL (the `*-store.test.ts` files beside this one). Several replicas share one store, so many stories
 * open two store instances on one database (two connections, two pools) and let them race.
 */
import type { InboxStats, Store } from "../../src/core/ports";
import type { SqlCounter } from "../../src/adapters/stores/sql-counter";
import { inboxStories } from "./store-inbox-stories";
import { concurrencyStories } from "./store-concurrency-stories";
import { stateStories } from "./store-state-stories";

export type ContractStore = Store & InboxStats;

export interface StoreSubject {
  name: string;
  /** Makes an empty database for the next story. */
  reset(): Promise<void>;
  /** A store instance on the current database; each call is another instance, as another replica would hold. */
  open(options: { now?: () => number; counter?: SqlCounter }): Promise<ContractStore>;
  /** After the last story. */
  end(): Promise<void>;
}

/** What each story gets: a controllable clock and a way to open stores (closed after the story). */
export class StoreKit {
  /** Milliseconds; stories move it forward to lapse leases and expire values. */
  clock = 1_000_000;
  private opened: ContractStore[] = [];

  constructor(private readonly subject: StoreSubject) {}

  /** A store on the story's clock. */
  async store(counter?: SqlCounter): Promise<ContractStore> {
    return this.track(await this.subject.open({ now: () => this.clock, counter }));
  }

  /** A store on the real clock, for stories where time runs by itself. */
  async realTimeStore(): Promise<ContractStore> {
    return this.track(await this.subject.open({}));
  }

  async reset(): Promise<void> {
    this.clock = 1_000_000;
    await this.subject.reset();
  }

  async closeAll(): Promise<void> {
    const opened = this.opened;
    this.opened = [];
    await Promise.all(opened.map((store) => store.close()));
  }

  private track(store: ContractStore): ContractStore {
    this.opened.push(store);
    return store;
  }
}

export function storeContract(subject: StoreSubject): void {
  describe(`${subject.name}: the Store contract`, () => {
    const kit = new StoreKit(subject);
    beforeEach(() => kit.reset());
    afterEach(() => kit.closeAll());
    afterAll(() => subject.end());

    inboxStories(kit);
    concurrencyStories(kit);
    stateStories(kit);
  });
}
