/**
 * A fake Microsoft identity platform for the Bot Framework and Graph:
 * - the Bot Framework's OpenID metadata and signing keys (JWKS with `endorsements`), and a signer that issues
 *   the JWTs Teams would put on its requests to databot;
 * - the client-credentials token endpoint `POST /{tenant}/oauth2/v2.0/token`, answering like Entra ID
 *   (`invalid_client` for a wrong secret), and remembering every token it issued and for which scope.
 */
import { createSign, generateKeyPairSync, randomBytes, type KeyObject } from "node:crypto";
import express from "express";
import { startFakeServer, type FakeServer } from "./http";

export const BOT_FRAMEWORK_ISSUER = "https://api.botframework.com";

export interface IssuedToken {
  token: string;
  tenant: string;
  clientId: string;
  scope: string;
}

export class FakeIdentity {
  readonly issued: IssuedToken[] = [];
  readonly keyId = "databot-test-key";
  private readonly keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
  private server?: FakeServer;

  /** @param clients client id → secret of the app registrations the fake knows. */
  constructor(private readonly clients: Record<string, string>) {}

  get url(): string {
    return this.server!.url;
  }

  /** What `TEAMS_OPENID_METADATA_URL` points at. */
  get openIdMetadataUrl(): string {
    return `${this.url}/botframework/.well-known/openidconfiguration`;
  }

  async start(): Promise<this> {
    this.server = await startFakeServer((app) => {
      app.get("/botframework/.well-known/openidconfiguration", (_req, res) => {
        res.json({
          issuer: BOT_FRAMEWORK_ISSUER,
          authorization_endpoint: "https://invalid.botframework.com",
          jwks_uri: `${this.url}/botframework/keys`,
          id_token_signing_alg_values_supported: ["RS256"],
          token_endpoint_auth_methods_supported: ["private_key_jwt"],
        });
      });
      app.get("/botframework/keys", (_req, res) => {
        const jwk = this.keys.publicKey.export({ format: "jwk" });
        res.json({
          keys: [{ kty: "RSA", use: "sig", kid: this.keyId, n: jwk.n, e: jwk.e, endorsements: ["msteams"] }],
        });
      });
      app.post("/:tenant/oauth2/v2.0/token", express.urlencoded({ extended: false }), (req, res) => {
        const body = req.body as Record<string, string>;
        if (body.grant_type !== "client_credentials") {
          res.status(400).json({ error: "unsupported_grant_type", error_description: "AADSTS70003" });
          return;
        }
        if (!body.client_id || this.clients[body.client_id] !== body.client_secret) {
          res.status(401).json({
            error: "invalid_client",
            error_description: "AADSTS7000215: Invalid client secret provided.",
          });
          return;
        }
        if (!body.scope?.endsWith("/.default")) {
          res.status(400).json({
            error: "invalid_scope",
            error_description: "AADSTS1002012: scope must end with /.default",
          });
          return;
        }
        const token = `fake-${randomBytes(16).toString("hex")}`;
        this.issued.push({
          token,
          tenant: String(req.params.tenant),
          clientId: body.client_id,
          scope: body.scope,
        });
        res.json({ token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: token });
      });
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }

  /** Tokens issued for a scope (e.g. `https://api.botframework.com/.default`). */
  tokensFor(scope: string): string[] {
    return this.issued.filter((t) => t.scope === scope).map((t) => t.token);
  }

  /** The JWT Teams puts on a request to the bot. */
  channelToken(appId: string, serviceUrl: string): string {
    return signJwt(this.keys.privateKey, this.keyId, channelClaims(appId, serviceUrl));
  }

  /** A token with the right claims and key id, signed by someone else's key. */
  forgedToken(appId: string, serviceUrl: string): string {
    const attacker = generateKeyPairSync("rsa", { modulusLength: 2048 });
    return signJwt(attacker.privateKey, this.keyId, channelClaims(appId, serviceUrl));
  }
}

function channelClaims(appId: string, serviceUrl: string): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: BOT_FRAMEWORK_ISSUER,
    aud: appId,
    serviceurl: serviceUrl,
    nbf: now - 10,
    iat: now - 10,
    exp: now + 3600,
  };
}

function signJwt(key: KeyObject, kid: string, claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const input = `${encode({ alg: "RS256", typ: "JWT", kid })}.${encode(claims)}`;
  const signature = createSign("RSA-SHA256").update(input).sign(key).toString("base64url");
  return `${input}.${signature}`;
}
