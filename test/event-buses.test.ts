/** The event bus contract in memory and across two PostgreSQL buses, and how the PostgreSQL one survives a lost connection. */
import type pg from "pg";
import { silentLogger } from "../src/core/logger";
import { MemoryEventBus } from "../src/adapters/stores/memory/memory-event-bus";
import { openPool } from "../src/adapters/stores/postgres/database";
import { PgEventBus } from "../src/adapters/stores/postgres/pg-event-bus";
import { collect, eventBusContract } from "./contracts/event-bus-contract";
import { createThrowawayDatabase } from "./support/postgres";

const memory = new MemoryEventBus();
eventBusContract(
  "in-memory",
  async () => ({ a: memory, b: memory }),
  () => memory.close(),
);

/** Two replicas: each its own pool and its own listening connection, on one database. */
async function twoReplicas(label: string) {
  const db = await createThrowawayDatabase(label);
  const pools = [openPool({ url: db.url }), openPool({ url: db.url })];
  const [a, b] = await Promise.all(
    pools.map((pool) => PgEventBus.open({ pool, url: db.url, logger: silentLogger })),
  );
  return {
    db,
    pools,
    a: a!,
    b: b!,
    async close() {
      await a!.close();
      await b!.close();
      await Promise.all(pools.map((p) => p.end()));
      await db.drop();
    },
  };
}

let replicas: Awaited<ReturnType<typeof twoReplicas>>;
eventBusContract(
  "PostgreSQL",
  async () => (replicas = await twoReplicas("bus")),
  () => replicas.close(),
);

describe("PostgreSQL event bus", () => {
  let pair: Awaited<ReturnType<typeof twoReplicas>>;
  let admin: pg.Pool;
  beforeAll(async () => {
    pair = await twoReplicas("bus_reconnect");
    admin = openPool({ url: pair.db.url });
  });
  afterAll(async () => {
    await admin.end();
    await pair.close();
  });

  test("when the listening connection is cut, it comes back, says events may have been missed, and delivers again", async () => {
    let gaps = 0;
    let gapped: () => void = () => undefined;
    const seen = collect(pair.b, "web:t");
    const stopGap = pair.b.subscribe(
      "web:t",
      () => undefined,
      () => {
        gaps += 1;
        gapped();
      },
    );
    await pair.a.publish("web:t", { type: "x", data: { n: 1 } });
    await seen.next(1);
    const back = new Promise<void>((resolve) => (gapped = resolve));
    // Ends every listening connection on this database, as a failover or a restarted server would.
    await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'databot-events'",
    );
    await back;
    expect(gaps).toBe(1);
    await pair.a.publish("web:t", { type: "x", data: { n: 2 } });
    expect((await seen.next(2)).map((e) => e.data.n)).toEqual([1, 2]);
    stopGap();
    seen.stop();
  });
});
