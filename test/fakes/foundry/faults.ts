/**
 * Faults a test asks for: an HTTP error (429 with Retry-After, 500, ...), a lost response (the request was handled
 * but the client got a 500, as after a gateway timeout), or a dropped connection.
 */
import { ApiError } from "./wire";

export interface FaultSpec {
  /** `"METHOD /path"` below the project endpoint, `*` standing for one path segment: `"POST /threads/*\/runs"`. */
  route: string;
  /** Answer with this status and the service's error envelope, without handling the request. */
  status?: number;
  /** Sent as `Retry-After` (seconds) with a 429 or 503. */
  retryAfterSeconds?: number;
  /** Handle the request, then answer 500 instead of its result. */
  loseResponse?: boolean;
  /** Drop the connection without an answer. */
  reset?: boolean;
  /** How many matching requests it hits (default 1; `Infinity` for all). */
  times?: number;
  message?: string;
}

/** Compiles `"METHOD /a/*\/b"` (method optional) into a matcher of `"METHOD /path"`. */
export function routeMatcher(route: string): (method: string, path: string) => boolean {
  const [first, second] = route.trim().split(/\s+/, 2);
  const method = second === undefined ? undefined : first!.toUpperCase();
  const pathPattern = second ?? first!;
  const regex = new RegExp(
    "^" +
      pathPattern
        .split("/")
        .map((segment) => (segment === "*" ? "[^/]+" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
        .join("/") +
      "$",
  );
  return (m, p) => (method === undefined || method === m.toUpperCase()) && regex.test(p);
}

const DEFAULTS: Record<number, { message: string; type: string; code: string }> = {
  429: {
    message: "Rate limit is exceeded. Try again in {s} seconds.",
    type: "rate_limit_error",
    code: "rate_limit_exceeded",
  },
  500: {
    message: "The server had an error while processing your request. Sorry about that!",
    type: "server_error",
    code: "server_error",
  },
  502: { message: "Bad gateway.", type: "server_error", code: "bad_gateway" },
  503: {
    message: "The service is temporarily unavailable.",
    type: "server_error",
    code: "service_unavailable",
  },
};

/** The error a status fault answers with. */
export function faultError(spec: FaultSpec): ApiError {
  const status = spec.status ?? 500;
  const base = DEFAULTS[status] ?? {
    message: `Injected error ${status}.`,
    type: "invalid_request_error",
    code: String(status),
  };
  const seconds = spec.retryAfterSeconds;
  const headers: Record<string, string> = seconds === undefined ? {} : { "retry-after": String(seconds) };
  const message = (spec.message ?? base.message).replace("{s}", String(seconds ?? 1));
  return new ApiError(status, message, base.type, null, base.code, headers);
}

interface ActiveFault {
  spec: FaultSpec;
  matches: (method: string, path: string) => boolean;
  left: number;
}

/** The faults still to happen, first match wins. */
export class FaultPlan {
  private readonly faults: ActiveFault[] = [];

  add(spec: FaultSpec): void {
    this.faults.push({ spec, matches: routeMatcher(spec.route), left: spec.times ?? 1 });
  }

  /** Takes the fault for this request, if any. */
  take(method: string, path: string): FaultSpec | undefined {
    const fault = this.faults.find((f) => f.left > 0 && f.matches(method, path));
    if (!fault) return undefined;
    fault.left -= 1;
    return fault.spec;
  }

  clear(): void {
    this.faults.length = 0;
  }
}
