/**
 * App-only access tokens from Microsoft Entra ID by the OAuth 2.0 client-credentials grant: one for the Bot
 * Framework (replies, pasted images) and one for Microsoft Graph (files in channels and group chats). Tokens are
 * cached per tenant until shortly before they expire, and concurrent callers share one request.
 */
import { DatabotError, ErrorCode } from "../../core/errors";

/** Gives a bearer token for one audience; `tenantId` picks the directory when the app serves several. */
export interface TokenProvider {
  getToken(tenantId?: string): Promise<string>;
}

export interface ClientCredentials {
  /** e.g. `https://login.microsoftonline.com` (tests: a fake token endpoint). */
  authorityHost: string;
  /** The directory used when the caller names none (`botframework.com` for multi-tenant bots). */
  defaultTenant: string;
  clientId: string;
  clientSecret: string;
  /** e.g. `https://graph.microsoft.com/.default`. */
  scope: string;
}

/** Renew this long before the token expires, so a request never leaves with a token about to lapse. */
const EXPIRY_MARGIN_MS = 5 * 60_000;
const REQUEST_TIMEOUT_MS = 15_000;

interface CachedToken {
  token: string;
  expiresAt: number;
}

/** Client-credentials tokens (`POST {authority}/{tenant}/oauth2/v2.0/token`). */
export class ClientCredentialsTokenProvider implements TokenProvider {
  private readonly cache = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<CachedToken>>();

  constructor(
    private readonly credentials: ClientCredentials,
    private readonly now: () => number = Date.now,
  ) {}

  async getToken(tenantId?: string): Promise<string> {
    const tenant = tenantId || this.credentials.defaultTenant;
    const cached = this.cache.get(tenant);
    if (cached && cached.expiresAt - EXPIRY_MARGIN_MS > this.now()) return cached.token;
    let request = this.pending.get(tenant);
    if (!request) {
      request = this.request(tenant).finally(() => this.pending.delete(tenant));
      this.pending.set(tenant, request);
    }
    return (await request).token;
  }

  private async request(tenant: string): Promise<CachedToken> {
    const { authorityHost, clientId, clientSecret, scope } = this.credentials;
    const url = `${authorityHost}/${encodeURIComponent(tenant)}/oauth2/v2.0/token`;
    const body = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: clientId,
      client_secret: clientSecret,
      scope,
    });
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw tokenError(`the token endpoint could not be reached (${(error as Error).message})`, true, error);
    }
    const payload = (await response.json().catch(() => ({}))) as {
      access_token?: string;
      expires_in?: number | string;
      error?: string;
      error_description?: string;
    };
    if (!response.ok || typeof payload.access_token !== "string") {
      // The description names the problem (wrong secret, missing consent); it never contains the secret.
      const reason = payload.error ? `${payload.error}: ${payload.error_description ?? ""}` : "no token";
      throw tokenError(`token request failed with HTTP ${response.status} (${reason.slice(0, 300)})`, false);
    }
    const entry = {
      token: payload.access_token,
      expiresAt: this.now() + Number(payload.expires_in ?? 3600) * 1000,
    };
    this.cache.set(tenant, entry);
    return entry;
  }
}

/** A fixed token (local fakes only; configuration refuses it in production). */
export class StaticTokenProvider implements TokenProvider {
  constructor(private readonly token: string) {}
  async getToken(): Promise<string> {
    return this.token;
  }
}

function tokenError(detail: string, retryable: boolean, cause?: unknown): DatabotError {
  return new DatabotError(
    ErrorCode.AttachmentUnavailable,
    "databot could not sign in to Microsoft 365 to read the file.",
    { detail, retryable, cause },
  );
}
