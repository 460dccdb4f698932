/**
 * App-only access tokens from Microsoft Entra ID by the OAuth 2.0 client-credentials grant: one for the Bot
 * Framework (replies, pasted images) and one for Microsoft Graph (files in channels and group chats).
 * `@azure/identity`'s ClientSecretCredential asks for them and caches them per tenant until shortly before they
 * expire; concurrent callers for one tenant share one request.
 */
import { ClientSecretCredential } from "@azure/identity";
import { withTimeout } from "../../../core/async";
import { DatabotError, ErrorCode } from "../../../core/errors";

/** Gives a bearer token for one audience; `tenantId` picks the directory when the app serves several. */
export interface TokenProvider {
  getToken(tenantId?: string): Promise<string>;
}

export interface ClientCredentials {
  /** e.g. `https://login.microsoftonline.com` (tests: a fake identity platform). */
  authorityHost: string;
  /** The directory used when the caller names none (`botframework.com` for multi-tenant bots). */
  defaultTenant: string;
  clientId: string;
  clientSecret: string;
  /** e.g. `https://graph.microsoft.com/.default`. */
  scope: string;
  /** Certificate authorities to trust at the authority instead of the system's (a proxy's, a local fake's). */
  ca?: string[];
}

const REQUEST_TIMEOUT_MS = 15_000;

/** Client-credentials tokens for one app registration and one scope, in any tenant the caller names. */
export function clientCredentialsTokens(credentials: ClientCredentials): TokenProvider {
  const { authorityHost, defaultTenant, clientId, clientSecret, scope, ca } = credentials;
  const credential = new ClientSecretCredential(defaultTenant, clientId, clientSecret, {
    authorityHost,
    // The authority is databot's own configuration: no discovery request asks Microsoft whether to trust it.
    disableInstanceDiscovery: true,
    // A multi-tenant app reads each team's files with a token from that team's directory.
    additionallyAllowedTenants: ["*"],
    ...(ca ? { tlsOptions: { ca } } : {}),
  });
  const pending = new Map<string, Promise<string>>();
  return {
    getToken(tenantId) {
      const tenant = tenantId || defaultTenant;
      let request = pending.get(tenant);
      if (!request) {
        request = withTimeout(credential.getToken(scope, { tenantId: tenant }), REQUEST_TIMEOUT_MS)
          .then(
            (token) => token.token,
            (error: unknown) => Promise.reject(tokenError(error)),
          )
          .finally(() => pending.delete(tenant));
        pending.set(tenant, request);
      }
      return request;
    },
  };
}

/** A fixed token (local fakes only; configuration refuses it in production). */
export class StaticTokenProvider implements TokenProvider {
  constructor(private readonly token: string) {}
  async getToken(): Promise<string> {
    return this.token;
  }
}

/** OAuth error codes by which Entra ID refuses a request that will be refused again (RFC 6749 §5.2). */
const REFUSAL = /^(invalid_[a-z_]+|unauthorized_client|unsupported_grant_type|access_denied)\b/;

/**
 * A failed sign-in. Entra ID's answer names the problem (a wrong secret, missing consent) and never contains the
 * secret. A refusal or a wrong configuration is not worth retrying; a network failure, a timeout or a server
 * error is.
 */
function tokenError(error: unknown): DatabotError {
  const message = error instanceof Error ? error.message : String(error);
  const answered = REFUSAL.test(message) || (error as Error | undefined)?.name === "ClientConfigurationError";
  return new DatabotError(
    ErrorCode.AttachmentUnavailable,
    "databot could not sign in to Microsoft 365 to read the file.",
    {
      detail: `token request failed (${message.replace(/\s+/g, " ").slice(0, 300)})`,
      retryable: !answered,
      cause: answered ? undefined : error,
    },
  );
}
