/** The pool as the store uses it: every statement counted, and whether it committed a write. */
import type pg from "pg";
import type { SqlCounter } from "../sql-counter";

export class CountedPool {
  constructor(
    private readonly pool: pg.Pool,
    readonly counter: SqlCounter,
  ) {}

  /** A statement that only reads. */
  async read<R extends pg.QueryResultRow>(text: string, params: unknown[]): Promise<R[]> {
    this.counter.statements++;
    return (await this.pool.query<R>(text, params)).rows;
  }

  /** A statement that writes, in a transaction of its own. */
  async write<R extends pg.QueryResultRow>(text: string, params: unknown[]): Promise<pg.QueryResult<R>> {
    this.counter.statements++;
    this.counter.writeTransactions++;
    return this.pool.query<R>(text, params);
  }

  /**
   * A statement that writes only if it finds its row, like a claim: one that finds nothing locks nothing and
   * gets no transaction id, so PostgreSQL commits it as the read it was, and it is not counted as a write.
   */
  async writeIfFound<R extends pg.QueryResultRow>(text: string, params: unknown[]): Promise<R[]> {
    this.counter.statements++;
    const result = await this.pool.query<R>(text, params);
    if ((result.rowCount ?? 0) > 0) this.counter.writeTransactions++;
    return result.rows;
  }

  end(): Promise<void> {
    return this.pool.end();
  }
}
