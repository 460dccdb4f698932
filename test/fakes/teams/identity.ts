/**
 * A fake Microsoft identity platform for the Bot Framework and Graph:
 * - the Bot Framework's OpenID metadata and signing keys (JWKS with `endorsements`), and a signer that issues
 *   the JWTs Teams would put on its requests to databot (plain http on loopback, as botbuilder fetches them);
 * - Entra ID over https with a CA made at start, as MSAL speaks to it: each tenant's OpenID configuration
 *   (`GET /{tenant}/v2.0/.well-known/openid-configuration`, which names the token endpoint) and the
 *   client-credentials token endpoint `POST /{tenant}/oauth2/v2.0/token`, answering like Entra ID
 *   (`invalid_client` for a wrong secret), and remembering every token it issued and for which scope.
 */
import { createSign, generateKeyPairSync, randomBytes, type KeyObject } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import express, { type Express } from "express";
import { generateTlsMaterial } from "../foundry/tls";
import { startFakeServer, type FakeServer } from "./http";

const BOT_FRAMEWORK_ISSUER = "https://api.botframework.com";

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
  /** Requests for a tenant's OpenID configuration, by tenant (MSAL asks once per authority). */
  readonly discoveries: string[] = [];
  private botFramework?: FakeServer;
  private entra?: FakeServer;
  private tmpDir = "";
  /** The CA that signed the https certificate, as a PEM file (`TEAMS_AUTHORITY_CA_FILE`). */
  caFile = "";

  /** @param clients client id → secret of the app registrations the fake knows. */
  constructor(private readonly clients: Record<string, string>) {}

  /** The Entra ID authority host, https (`TEAMS_AUTHORITY_HOST`, `GRAPH_AUTHORITY_HOST`). */
  get url(): string {
    return this.entra!.url;
  }

  /** What `TEAMS_OPENID_METADATA_URL` points at. */
  get openIdMetadataUrl(): string {
    return `${this.botFramework!.url}/botframework/.well-known/openidconfiguration`;
  }

  async start(): Promise<this> {
    const tls = generateTlsMaterial();
    this.tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "databot-fake-identity-"));
    this.caFile = path.join(this.tmpDir, "ca.pem");
    fs.writeFileSync(this.caFile, tls.caPem);
    this.botFramework = await startFakeServer((app) => this.botFrameworkRoutes(app));
    this.entra = await startFakeServer((app) => this.entraRoutes(app), "127.0.0.1", tls);
    return this;
  }

  async stop(): Promise<void> {
    await Promise.all([this.botFramework?.close(), this.entra?.close()]);
    if (this.tmpDir) fs.rmSync(this.tmpDir, { recursive: true, force: true });
  }

  private botFrameworkRoutes(app: Express): void {
    app.get("/botframework/.well-known/openidconfiguration", (_req, res) => {
      res.json({
        issuer: BOT_FRAMEWORK_ISSUER,
        authorization_endpoint: "https://invalid.botframework.com",
        jwks_uri: `${this.botFramework!.url}/botframework/keys`,
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
  }

  private entraRoutes(app: Express): void {
    app.get("/:tenant/v2.0/.well-known/openid-configuration", (req, res) => {
      const tenant = String(req.params.tenant);
      if (!TENANT.test(tenant)) {
        entraError(res, 400, "invalid_tenant", 90002, `Tenant '${tenant}' not found.`);
        return;
      }
      this.discoveries.push(tenant);
      const base = `${this.url}/${encodeURIComponent(tenant)}`;
      res.json({
        token_endpoint: `${base}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: [
          "client_secret_post",
          "private_key_jwt",
          "client_secret_basic",
        ],
        jwks_uri: `${this.url}/${encodeURIComponent(tenant)}/discovery/v2.0/keys`,
        response_modes_supported: ["query", "fragment", "form_post"],
        subject_types_supported: ["pairwise"],
        id_token_signing_alg_values_supported: ["RS256"],
        response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
        scopes_supported: ["openid", "profile", "email", "offline_access"],
        issuer: `${base}/v2.0`,
        request_uri_parameter_supported: false,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        tenant_region_scope: "WW",
      });
    });
    app.post("/:tenant/oauth2/v2.0/token", express.urlencoded({ extended: false }), (req, res) => {
      const body = req.body as Record<string, string>;
      if (body.grant_type !== "client_credentials") {
        entraError(res, 400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.");
        return;
      }
      if (!body.client_id || this.clients[body.client_id] !== body.client_secret) {
        entraError(res, 401, "invalid_client", 7000215, "Invalid client secret provided.");
        return;
      }
      const scopes = (body.scope ?? "").split(" ").filter((s) => s !== "openid" && s !== "profile");
      const scope = scopes.find((s) => s.endsWith("/.default"));
      if (!scope || scopes.length !== 1) {
        entraError(
          res,
          400,
          "invalid_scope",
          1002012,
          "The scope provided is not valid: it must end with /.default.",
        );
        return;
      }
      const token = `fake-${randomBytes(16).toString("hex")}`;
      this.issued.push({ token, tenant: String(req.params.tenant), clientId: body.client_id, scope });
      res.json({ token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: token });
    });
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

const TENANT = /^[0-9a-zA-Z-.]+$/;

/** Entra ID's error envelope: the code, an `AADSTS` description, and the numeric codes. */
function entraError(res: express.Response, status: number, error: string, code: number, text: string): void {
  res.status(status).json({
    error,
    error_description: `AADSTS${code}: ${text} Trace ID: ${randomBytes(8).toString("hex")}`,
    error_codes: [code],
    timestamp: new Date().toISOString().replace("T", " ").slice(0, 19) + "Z",
    trace_id: randomBytes(16).toString("hex"),
    correlation_id: randomBytes(16).toString("hex"),
  });
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
