/**
 * The one way databot fetches a URL it was handed in a chat payload (Slack files, Teams downloads and pasted
 * images, Graph and SharePoint links, upload sessions). Every hop — the first request and each redirect — is
 * checked: https only (plain http to loopback in local mode), the host against the caller's list, and every
 * address the name resolves to against the address rules, at connect time so DNS cannot change its answer
 * between the check and the connection. Bodies are bounded in size and time and arrive as streams.
 */
import dns, { type LookupAddress } from "node:dns";
import { isIP } from "node:net";
import { Transform, type Readable } from "node:stream";
import { Agent, buildConnector, request, type Dispatcher } from "undici";
import { DatabotError, ErrorCode } from "../../core/errors";
import { classifyAddress } from "./addresses";

/** Why a request was refused or failed, for logs and tests. */
export type OutboundFailure =
  "scheme" | "host" | "address" | "insecure_redirect" | "redirects" | "too_large" | "timeout" | "unreachable";

const REASONS: Record<OutboundFailure, string> = {
  scheme: "its link is not a secure (https) address",
  host: "its link points somewhere databot does not download from",
  address: "its link points to a private or internal network address, which databot never fetches",
  insecure_redirect: "its download redirected to an insecure (http) address",
  redirects: "its download redirected too many times",
  too_large: "it is larger than databot accepts",
  timeout: "the download took too long",
  unreachable: "the file's host could not be reached",
};

/** A refused or failed outbound request. Its user message is a reason that can follow "I couldn't read X:". */
export class OutboundError extends DatabotError {
  constructor(
    readonly reason: OutboundFailure,
    detail: string,
    cause?: unknown,
  ) {
    super(ErrorCode.AttachmentUnavailable, REASONS[reason], {
      detail: `outbound ${reason}: ${detail}`,
      retryable: reason === "timeout" || reason === "unreachable",
      cause,
    });
    this.name = "OutboundError";
  }
}

/** A resolver with `dns.lookup`'s `all: true` shape (tests give names fixed answers). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export interface OutboundSettings {
  /** Local mode: plain http and loopback addresses are reachable (local fakes, the Agents Playground). */
  local: boolean;
  resolve?: Resolver;
  /** Certificate authorities to trust instead of the system's (a local https fake). */
  ca?: string;
  /** Until the response headers arrive (default 30 s), and between body chunks (default 60 s). */
  headersTimeoutMs?: number;
  idleTimeoutMs?: number;
}

export interface OutboundRequest {
  method?: "GET" | "PUT" | "POST";
  /** Host names this request may reach: `"slack.com"` exactly, `".slack.com"` any subdomain. Absent: any public host. */
  hosts?: readonly string[];
  /** In local mode, loopback hosts count as listed too (the platform's local fakes). */
  loopbackCountsAsListed?: boolean;
  /** Origins from databot's own configuration (an API proxy, a local fake): exempt from the host and address rules. */
  trustedOrigins?: readonly string[];
  /** Headers for one hop: a credential goes only to the hosts the caller names here. */
  headers?: (url: URL) => Record<string, string | undefined>;
  body?: Buffer | string;
  /** Largest response body; beyond it the stream fails with `too_large`. */
  maxBytes: number;
  /** The whole exchange, body included. */
  timeoutMs: number;
  maxRedirects?: number;
  signal?: AbortSignal;
}

export interface OutboundResponse {
  status: number;
  /** Lower-case header names. */
  header(name: string): string | undefined;
  /** The URL that answered (after redirects). */
  url: URL;
  body: Readable;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export class OutboundGuard {
  private readonly checked: Agent;
  private readonly trusted: Agent;
  private readonly resolve: Resolver;
  private closing?: Promise<void>;

  constructor(private readonly settings: OutboundSettings) {
    this.resolve = settings.resolve ?? ((name) => dns.promises.lookup(name, { all: true, verbatim: true }));
    const timeouts = {
      headersTimeout: settings.headersTimeoutMs ?? 30_000,
      bodyTimeout: settings.idleTimeoutMs ?? 60_000,
    };
    const tls = settings.ca ? { ca: settings.ca } : {};
    this.checked = new Agent({ ...timeouts, connect: this.connector(buildConnector(tls)) });
    this.trusted = new Agent({ ...timeouts, connect: tls });
  }

  /** Sends the request, following redirects hop by hop; rejects with {@link OutboundError} when a rule refuses it. */
  async request(target: string | URL, options: OutboundRequest): Promise<OutboundResponse> {
    const deadline = AbortSignal.timeout(options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
    let url = this.parse(target);
    let method = options.method ?? "GET";
    let body = options.body;
    for (let hop = 0; hop <= (options.maxRedirects ?? 5); hop++) {
      const trusted = this.admit(url, options);
      const response = await this.send(url, method, body, options, trusted, signal);
      const location = response.headers.location;
      if (REDIRECTS.has(response.statusCode) && typeof location === "string") {
        response.body.resume();
        const next = this.parse(new URL(location, url));
        if (url.protocol === "https:" && next.protocol !== "https:") {
          throw new OutboundError("insecure_redirect", `${url.host} → ${next.host}`);
        }
        if (response.statusCode === 303) [method, body] = ["GET", undefined];
        url = next;
        continue;
      }
      return this.respond(url, response, options, signal, deadline);
    }
    throw new OutboundError("redirects", url.host);
  }

  async close(): Promise<void> {
    this.closing ??= Promise.all([this.checked.close(), this.trusted.close()]).then(() => undefined);
    await this.closing;
  }

  private parse(target: string | URL): URL {
    try {
      return new URL(target);
    } catch {
      throw new OutboundError("scheme", "not a URL");
    }
  }

  /** Applies the scheme, host and literal-address rules; true when the URL is one of databot's configured origins. */
  private admit(url: URL, options: OutboundRequest): boolean {
    if (url.username || url.password) throw new OutboundError("host", "credentials in the URL");
    if (options.trustedOrigins?.includes(url.origin)) return true;
    const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
    const literal = isIP(host) !== 0;
    if (url.protocol === "http:") {
      const loopbackName = host === "localhost" || (literal && classifyAddress(host) === "loopback");
      if (!this.settings.local || !loopbackName) throw new OutboundError("scheme", url.protocol);
    } else if (url.protocol !== "https:") {
      throw new OutboundError("scheme", url.protocol);
    }
    const listed =
      !options.hosts ||
      matchesHost(host, options.hosts) ||
      (options.loopbackCountsAsListed === true && this.settings.local && isLoopbackName(host));
    if (!listed) {
      throw new OutboundError("host", host);
    }
    if (literal) this.checkAddress(host, host);
    return false;
  }

  private checkAddress(host: string, address: string): void {
    const kind = classifyAddress(address);
    if (kind === "public" || (kind === "loopback" && this.settings.local)) return;
    throw new OutboundError("address", `${host} is ${address}`);
  }

  /**
   * The checked agent's connector: resolves the name, checks every address, then connects to the checked address
   * itself (TLS still verifies the certificate against the name), so DNS cannot answer differently in between.
   */
  private connector(base: buildConnector.connector): buildConnector.connector {
    return (options, callback) => {
      const name = options.hostname.replace(/^\[|\]$/g, "");
      const family = isIP(name);
      const addresses = family ? Promise.resolve([{ address: name, family }]) : this.resolve(name);
      addresses.then(
        (found) => {
          try {
            if (found.length === 0) throw new OutboundError("unreachable", `${name} has no address`);
            for (const { address } of found) this.checkAddress(name, address);
          } catch (error) {
            callback(error as Error, null);
            return;
          }
          base({ ...options, hostname: found[0]!.address, servername: family ? undefined : name }, callback);
        },
        (error: Error) =>
          callback(new OutboundError("unreachable", `${name}: ${error.message}`, error), null),
      );
    };
  }

  private async send(
    url: URL,
    method: string,
    body: Buffer | string | undefined,
    options: OutboundRequest,
    trusted: boolean,
    signal: AbortSignal,
  ): Promise<Dispatcher.ResponseData> {
    try {
      return await request(url, {
        dispatcher: trusted ? this.trusted : this.checked,
        method: method as Dispatcher.HttpMethod,
        headers: definedHeaders(options.headers?.(url)),
        body,
        signal,
      });
    } catch (error) {
      const refusal = findOutboundError(error);
      if (refusal) throw refusal;
      if (signal.aborted && !options.signal?.aborted) throw new OutboundError("timeout", url.host, error);
      if (options.signal?.aborted) throw error;
      throw new OutboundError("unreachable", `${url.host}: ${(error as Error).message}`, error);
    }
  }

  /** The response with a body that fails with `too_large` or `timeout` instead of growing or hanging. */
  private respond(
    url: URL,
    response: Dispatcher.ResponseData,
    options: OutboundRequest,
    signal: AbortSignal,
    deadline: AbortSignal,
  ): OutboundResponse {
    const header = (name: string) => {
      const value = response.headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(", ") : value;
    };
    const declared = Number(header("content-length"));
    if (Number.isFinite(declared) && declared > options.maxBytes) {
      response.body.destroy();
      throw new OutboundError("too_large", `${declared} bytes declared`);
    }
    let seen = 0;
    const bounded = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        seen += chunk.length;
        if (seen > options.maxBytes) done(new OutboundError("too_large", `over ${options.maxBytes} bytes`));
        else done(null, chunk);
      },
    });
    const source = response.body;
    source.on("error", (error) => {
      const failure =
        findOutboundError(error) ??
        (deadline.aborted
          ? new OutboundError("timeout", url.host, error)
          : signal.aborted
            ? error
            : new OutboundError("unreachable", `${url.host}: ${error.message}`, error));
      bounded.destroy(failure);
    });
    // A consumer that stops early (or a cap that trips) releases the connection.
    bounded.on("close", () => source.destroy());
    source.pipe(bounded);
    return { status: response.statusCode, header, url, body: bounded };
  }
}

/** True when `host` is one of `rules`: an exact name, or a subdomain of a `.suffix` rule. */
function matchesHost(host: string, rules: readonly string[]): boolean {
  const name = host.toLowerCase().replace(/\.$/, "");
  return rules.some((rule) =>
    rule.startsWith(".") ? name.endsWith(rule) && name.length > rule.length : name === rule,
  );
}

function isLoopbackName(host: string): boolean {
  return host === "localhost" || (isIP(host) !== 0 && classifyAddress(host) === "loopback");
}

function definedHeaders(headers: Record<string, string | undefined> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => e[1] !== undefined));
}

function findOutboundError(error: unknown): OutboundError | undefined {
  for (let e = error as { cause?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    if (e instanceof OutboundError) return e;
    e = e.cause as { cause?: unknown } | undefined;
  }
  return undefined;
}
