/**
 * Errors with a stable code, so callers branch on codes rather than messages, and a sentence a user can read.
 */

export const ErrorCode = {
  FileRefused: "file_refused",
  BackendBusy: "backend_busy",
  BackendUnavailable: "backend_unavailable",
  RunFailed: "run_failed",
  RunExpired: "run_expired",
  RunCancelled: "run_cancelled",
  RunIncomplete: "run_incomplete",
  RunNeedsAction: "run_requires_action",
  RunTimedOut: "run_timed_out",
  SandboxUnavailable: "sandbox_unavailable",
  AttachmentUnavailable: "attachment_unavailable",
  PostFailed: "post_failed",
  /** The workspace's DAILY_SESSION_BUDGET is spent for today. */
  SessionBudgetSpent: "session_budget_spent",
  Cancelled: "cancelled",
  Internal: "internal",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface DatabotErrorOptions {
  /** True when the same request may succeed later (throttling, a passing outage). */
  retryable?: boolean;
  cause?: unknown;
}

/** An error whose `userMessage` is safe to show in the chat. `message` may carry detail for the logs. */
export class DatabotError extends Error {
  readonly code: ErrorCode;
  readonly userMessage: string;
  readonly retryable: boolean;

  constructor(code: ErrorCode, userMessage: string, options: DatabotErrorOptions & { detail?: string } = {}) {
    super(options.detail ?? userMessage, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "DatabotError";
    this.code = code;
    this.userMessage = userMessage;
    this.retryable = options.retryable ?? false;
  }
}

/** Wraps anything thrown into a DatabotError without losing the original as `cause`. */
export function asDatabotError(error: unknown): DatabotError {
  if (error instanceof DatabotError) return error;
  return new DatabotError(ErrorCode.Internal, "Something went wrong on databot's side while answering.", {
    cause: error,
    detail: error instanceof Error ? error.message : String(error),
  });
}

/**
 * Something databot needs at start is missing or unreachable (the database, say): the message says what and which
 * setting to check, and is all the operator sees — no stack trace, no secret.
 */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StartupError";
  }
}
