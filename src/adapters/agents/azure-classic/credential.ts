/**
 * How databot proves itself to Azure AI Foundry: a fixed token (local fakes only), a credential the caller passes,
 * or DefaultAzureCredential (managed identity, `az login`), created only when a token is first needed so that
 * tests and default runs never start the credential chain (it probes the managed-identity address).
 */
import {
  type AccessToken,
  DefaultAzureCredential,
  type GetTokenOptions,
  type TokenCredential,
} from "@azure/identity";

/** A bearer token that never changes: for the local fake. */
export class StaticTokenCredential implements TokenCredential {
  constructor(private readonly token: string) {}

  async getToken(): Promise<AccessToken> {
    return { token: this.token, expiresOnTimestamp: Date.now() + 60 * 60 * 1000 };
  }
}

/** DefaultAzureCredential, constructed on the first `getToken`. */
class LazyDefaultAzureCredential implements TokenCredential {
  private inner?: TokenCredential;

  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    // Constructed here, not earlier: the chain starts probing only when a real token is needed.
    this.inner ??= new DefaultAzureCredential();
    return this.inner.getToken(scopes, options);
  }
}

/** The credential for a configuration: the caller's, the fixed token, or the lazy default chain. */
export function credentialFor(
  staticToken: string | undefined,
  credential?: TokenCredential,
): TokenCredential {
  if (credential) return credential;
  if (staticToken) return new StaticTokenCredential(staticToken);
  return new LazyDefaultAzureCredential();
}
