/**
 * The event bus across replicas on PostgreSQL `LISTEN/NOTIFY`. One dedicated listening connection per process
 * (outside the pool: it stays open), reconnected with backoff when lost, after which every subscriber hears of
 * the gap and re-reads the state. An event's notification carries it whole when it fits in NOTIFY's 8000-byte
 * payload; a bigger one (a long answer being written) is stored as a row and the notification names the row.
 * Topic states are rows too, changed in the same transaction that notifies.
 */
import pg from "pg";
import type { Logger } from "../../../core/logger";
import type { BusEvent, EventBus, StateChange } from "../../../core/ports/event-bus";
import type { JsonObject } from "../../../core/types";
import { inTransaction, migrate, type MigrationSet } from "./database";

const CHANNEL = "databot_events";
/** NOTIFY refuses payloads of 8000 bytes or more; room is kept for the envelope. */
const INLINE_LIMIT = 7800;
/** Events stored by reference are read within moments; older rows are deleted. */
const EVENT_ROW_TTL_MS = 10 * 60_000;
const RECONNECT_MS = [250, 1000, 2000, 5000, 10_000];

const EVENT_BUS_MIGRATIONS: MigrationSet = {
  component: "event-bus",
  migrations: [
    {
      version: 1,
      name: "event rows too big for a notification, and each topic's current state",
      sql: `
        CREATE TABLE bus_events (
          id         BIGSERIAL PRIMARY KEY,
          topic      TEXT NOT NULL,
          event      JSONB NOT NULL,
          created_at TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        CREATE INDEX bus_events_created ON bus_events (created_at);
        CREATE TABLE bus_state (
          topic      TEXT PRIMARY KEY,
          state      JSONB NOT NULL,
          updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
        );`,
    },
  ],
};

/** What a notification carries: the event itself, or the row holding it. */
interface Envelope {
  t: string;
  e?: BusEvent;
  r?: string;
}

interface Subscriber {
  listener: (event: BusEvent) => void;
  onGap?: () => void;
}

export interface PgEventBusOptions {
  pool: pg.Pool;
  /** The database URL, for the listening connection. */
  url: string;
  logger: Logger;
}

export class PgEventBus implements EventBus {
  private readonly subscribers = new Map<string, Set<Subscriber>>();
  /** Publishes of one topic from this process go out one after another, so they arrive in order. */
  private readonly outgoing = new Map<string, Promise<unknown>>();
  /** Notifications are handled one after another, so one read by reference does not overtake the next. */
  private incoming: Promise<unknown> = Promise.resolve();
  private listener?: pg.Client;
  private closed = false;
  private attempt = 0;
  private reconnectTimer?: NodeJS.Timeout;
  private readonly purgeTimer: NodeJS.Timeout;

  private constructor(private readonly options: PgEventBusOptions) {
    this.purgeTimer = setInterval(() => void this.purge(), EVENT_ROW_TTL_MS / 2);
    this.purgeTimer.unref();
  }

  /** Applies the bus's migrations and connects the listening connection. */
  static async open(options: PgEventBusOptions): Promise<PgEventBus> {
    await migrate(options.pool, EVENT_BUS_MIGRATIONS);
    const bus = new PgEventBus(options);
    await bus.connect();
    return bus;
  }

  publish(topic: string, event: BusEvent | undefined, change?: StateChange): Promise<void> {
    const previous = this.outgoing.get(topic) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.send(topic, event, change));
    this.outgoing.set(topic, next);
    const forget = () => {
      if (this.outgoing.get(topic) === next) this.outgoing.delete(topic);
    };
    next.then(forget, forget);
    return next;
  }

  subscribe(topic: string, listener: (event: BusEvent) => void, onGap?: () => void): () => void {
    let set = this.subscribers.get(topic);
    if (!set) this.subscribers.set(topic, (set = new Set()));
    const subscriber: Subscriber = { listener, onGap };
    set.add(subscriber);
    return () => {
      set.delete(subscriber);
      if (set.size === 0) this.subscribers.delete(topic);
    };
  }

  async state(topic: string): Promise<JsonObject | undefined> {
    const { rows } = await this.options.pool.query<{ state: JsonObject }>(
      "SELECT state FROM bus_state WHERE topic = $1",
      [topic],
    );
    return rows[0]?.state;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.purgeTimer);
    clearTimeout(this.reconnectTimer);
    this.subscribers.clear();
    await Promise.allSettled([...this.outgoing.values()]);
    const client = this.listener;
    this.listener = undefined;
    await client?.end().catch(() => undefined);
  }

  private async send(topic: string, event: BusEvent | undefined, change?: StateChange): Promise<void> {
    await inTransaction(this.options.pool, async (client) => {
      if (change && "set" in change) {
        await client.query(
          `INSERT INTO bus_state (topic, state) VALUES ($1, $2)
           ON CONFLICT (topic) DO UPDATE SET state = EXCLUDED.state, updated_at = now()`,
          [topic, change.set],
        );
      } else if (change) {
        await client.query("DELETE FROM bus_state WHERE topic = $1 AND state @> $2", [
          topic,
          change.when ?? {},
        ]);
      }
      if (!event) return;
      let payload = JSON.stringify({ t: topic, e: event } satisfies Envelope);
      if (Buffer.byteLength(payload) > INLINE_LIMIT) {
        const { rows } = await client.query<{ id: string }>(
          "INSERT INTO bus_events (topic, event) VALUES ($1, $2) RETURNING id",
          [topic, event],
        );
        payload = JSON.stringify({ t: topic, r: rows[0]!.id } satisfies Envelope);
      }
      // Delivered when the transaction commits, after the state change it goes with.
      await client.query("SELECT pg_notify($1, $2)", [CHANNEL, payload]);
    });
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.options.url,
      application_name: "databot-events",
      connectionTimeoutMillis: 5000,
      keepAlive: true,
    });
    client.on("notification", (message) => {
      if (message.channel !== CHANNEL || !message.payload) return;
      const payload = message.payload;
      this.incoming = this.incoming.then(() => this.deliver(payload)).catch(() => undefined);
    });
    const lost = (error?: Error) => {
      if (this.listener !== client) return;
      this.listener = undefined;
      client.end().catch(() => undefined);
      if (this.closed) return;
      this.options.logger.warn({ err: error }, "lost the PostgreSQL event connection; reconnecting");
      this.scheduleReconnect();
    };
    client.on("error", lost);
    client.on("end", () => lost());
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.listener = client;
  }

  private scheduleReconnect(): void {
    const delay = RECONNECT_MS[Math.min(this.attempt, RECONNECT_MS.length - 1)]!;
    this.attempt += 1;
    this.reconnectTimer = setTimeout(() => {
      this.connect().then(
        () => {
          this.attempt = 0;
          // Anything published while the connection was down was missed: subscribers re-read the states.
          for (const set of this.subscribers.values()) for (const s of set) s.onGap?.();
        },
        (error: Error) => {
          if (this.closed) return;
          this.options.logger.warn({ err: error }, "could not reconnect the PostgreSQL event connection");
          this.scheduleReconnect();
        },
      );
    }, delay);
    this.reconnectTimer.unref();
  }

  private async deliver(payload: string): Promise<void> {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(payload) as Envelope;
    } catch {
      return;
    }
    const set = this.subscribers.get(envelope.t);
    if (!set || set.size === 0) return;
    let event = envelope.e;
    if (!event && envelope.r) {
      const { rows } = await this.options.pool.query<{ event: BusEvent }>(
        "SELECT event FROM bus_events WHERE id = $1",
        [envelope.r],
      );
      event = rows[0]?.event;
    }
    if (!event) return;
    for (const subscriber of [...set]) {
      try {
        subscriber.listener(event);
      } catch (error) {
        this.options.logger.warn({ err: error }, "an event listener failed");
      }
    }
  }

  private async purge(): Promise<void> {
    await this.options.pool
      .query("DELETE FROM bus_events WHERE created_at < now() - make_interval(secs => $1)", [
        EVENT_ROW_TTL_MS / 1000,
      ])
      .catch(() => undefined);
  }
}
