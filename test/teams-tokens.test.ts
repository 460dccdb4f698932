/**
 * The bot's app-only tokens come from Entra ID by the client-credentials grant, through the identity library,
 * against a fake identity platform that speaks Entra's wire protocol over https.
 */
import { clientCredentialsTokens } from "../src/adapters/chat/teams/token-provider";
import { trustedCas } from "../src/adapters/outbound/trusted-cas";
import { DatabotError } from "../src/core/errors";
import { FakeIdentity } from "./fakes/teams/identity";

const CLIENT_ID = "00000000-0000-0000-0000-00000000c0de";
const SECRET = "the-right-secret";
const GRAPH = "https://graph.microsoft.com/.default";

let identity: FakeIdentity;
beforeEach(async () => {
  identity = await new FakeIdentity({ [CLIENT_ID]: SECRET }).start();
});
afterEach(async () => identity.stop());

function tokens(secret = SECRET) {
  return clientCredentialsTokens({
    authorityHost: identity.url,
    defaultTenant: "contoso.onmicrosoft.com",
    clientId: CLIENT_ID,
    clientSecret: secret,
    scope: GRAPH,
    ca: trustedCas(identity.caFile, "TEAMS_AUTHORITY_CA_FILE"),
  });
}

test("each tenant gets its own token, asked for once and then reused", async () => {
  const provider = tokens();
  const [first, concurrent] = await Promise.all([provider.getToken(), provider.getToken()]);
  expect(concurrent).toBe(first);
  expect(await provider.getToken()).toBe(first);
  const fabrikam = await provider.getToken("72f988bf-0000-0000-0000-000000000002");
  expect(fabrikam).not.toBe(first);
  expect(await provider.getToken("72f988bf-0000-0000-0000-000000000002")).toBe(fabrikam);

  expect(identity.issued.map((t) => [t.tenant, t.scope, t.token])).toEqual([
    ["contoso.onmicrosoft.com", GRAPH, first],
    ["72f988bf-0000-0000-0000-000000000002", GRAPH, fabrikam],
  ]);
  // The token endpoint was found through the configured host's OpenID configuration.
  expect(identity.discoveries).toContain("contoso.onmicrosoft.com");
});

test("a wrong client secret is a sign-in error that names Entra's reason, is not retried, and never shows the secret", async () => {
  const error = (await tokens("a-wrong-secret")
    .getToken()
    .catch((e: unknown) => e)) as DatabotError;
  expect(error).toBeInstanceOf(DatabotError);
  expect(error.userMessage).toBe("databot could not sign in to Microsoft 365 to read the file.");
  expect(error.retryable).toBe(false);
  expect(error.message).toContain("AADSTS7000215");
  expect(error.message).not.toContain("a-wrong-secret");
  expect(identity.issued).toEqual([]);
});

test("an identity platform that cannot be reached is a sign-in error worth retrying", async () => {
  const provider = tokens();
  await identity.stop();
  const error = (await provider.getToken().catch((e: unknown) => e)) as DatabotError;
  expect(error).toBeInstanceOf(DatabotError);
  expect(error.retryable).toBe(true);
});
