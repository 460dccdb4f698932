/**
 * What a store's SQL costs: how many statements it runs and how many write transactions it commits. Filled in by
 * the SQLite and PostgreSQL stores when given one; read by `bench:core` and by the stories that check that finding
 * nothing to claim writes nothing. BEGIN and COMMIT are not counted as statements.
 */
export interface SqlCounter {
  statements: number;
  writeTransactions: number;
}

export function sqlCounter(): SqlCounter {
  return { statements: 0, writeTransactions: 0 };
}
