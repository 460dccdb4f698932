/**
 * How long to wait before trying a request again: as long as the service asked (`retry-after-ms`,
 * `x-ms-retry-after-ms`, or `Retry-After` in seconds or as an HTTP date), else exponential backoff with jitter.
 * Any client's headers will do: the Fetch API's (`null` when absent) and the Azure SDK's (`undefined`).
 */

/** The part of a headers object the wait is read from. */
export interface HeaderLookup {
  get(name: string): string | null | undefined;
}

export interface BackoffSettings {
  /** First backoff delay; doubles on each retry (with jitter). */
  baseDelayMs: number;
  /** Longest backoff delay. */
  maxDelayMs: number;
}

/** The wait a response asks for, in ms, or undefined when it names none (or nothing readable). */
export function retryAfterMs(headers: HeaderLookup | undefined): number | undefined {
  if (!headers) return undefined;
  for (const name of ["retry-after-ms", "x-ms-retry-after-ms"]) {
    const value = headers.get(name);
    const ms = Number(value);
    if (value !== null && value !== undefined && value.trim() !== "" && Number.isFinite(ms) && ms >= 0) {
      return ms;
    }
  }
  const value = headers.get("retry-after");
  if (value === null || value === undefined || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

/** Exponential backoff with jitter for the n-th retry (0-based): between half and all of the doubled delay. */
export function backoffMs(attempt: number, settings: BackoffSettings): number {
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** attempt);
  return Math.round(ceiling * (0.5 + Math.random() * 0.5));
}
