/** Configuration is validated once at start; every problem names its variable. */
import { loadConfig } from "../src/config";
import { configProblems as problems } from "./support/config-problems";

test("with nothing set, databot runs locally: local engine, web chat on loopback, data under ./data", () => {
  const config = loadConfig({}, "/srv/databot");
  expect(config.core).toMatchObject({
    mode: "local",
    port: 3978,
    host: "127.0.0.1",
    dataDir: "/srv/databot/data",
  });
  expect(config.backend).toBe("local");
  expect(config.web).toEqual({ accessToken: undefined });
  expect(config.azure).toBeUndefined();
  expect(config.slack).toBeUndefined();
});

test("Azure settings select the Azure backend; a missing deployment name is named", () => {
  const config = loadConfig(
    {
      AZURE_AI_PROJECT_ENDPOINT: "https://res.services.ai.azure.com/api/projects/p/",
      AZURE_AI_MODEL_DEPLOYMENT_NAME: "gpt-4o",
    },
    "/",
  );
  expect(config.backend).toBe("azure");
  expect(config.azure?.projectEndpoint).toBe("https://res.services.ai.azure.com/api/projects/p");
  expect(problems({ AZURE_AI_PROJECT_ENDPOINT: "https://res.services.ai.azure.com/api/projects/p" })).toEqual(
    [expect.stringMatching(/^AZURE_AI_MODEL_DEPLOYMENT_NAME is required/)],
  );
});

test("wrong values are reported together, each naming its variable, without echoing secrets", () => {
  const found = problems({ PORT: "eighty", MAX_FILE_MB: "2048", SLACK_BOT_TOKEN: "not-a-token-secret123" });
  expect(found).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^PORT:/),
      expect.stringMatching(/^MAX_FILE_MB:/),
      expect.stringMatching(/^SLACK_BOT_TOKEN: a bot token starts with xoxb-/),
      expect.stringMatching(/SLACK_SIGNING_SECRET .* or SLACK_APP_TOKEN/),
    ]),
  );
  expect(found.join("\n")).not.toContain("secret123");
});

test("production refuses unauthenticated surfaces and unsandboxed code, naming the setting", () => {
  const found = problems({
    DATABOT_MODE: "production",
    TEAMS_ENABLED: "true",
    WEB_CHAT: "true",
    SANDBOX_ALLOW_UNSANDBOXED: "true",
  });
  expect(found).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^MicrosoftAppId is required in production mode/),
      expect.stringMatching(/^WEB_ACCESS_TOKEN is required/),
      expect.stringMatching(/^SANDBOX_ALLOW_UNSANDBOXED must be false in production mode/),
    ]),
  );
});

test("the web chat on a public address needs an access token", () => {
  expect(problems({ HOST: "0.0.0.0" })).toEqual([
    expect.stringMatching(/^WEB_ACCESS_TOKEN is required .* 0.0.0.0/),
  ]);
  expect(problems({ HOST: "0.0.0.0", WEB_ACCESS_TOKEN: "a-long-enough-token-1234" })).toEqual([]);
});

test("several replicas need PostgreSQL: DATABASE_URL selects it, REPLICAS above 1 refuses SQLite", () => {
  expect(loadConfig({}, "/srv/databot").store).toEqual({
    kind: "sqlite",
    file: "/srv/databot/data/databot.sqlite",
  });
  const shared = loadConfig(
    {
      DATABASE_URL: "postgres://databot:pw@db.internal:5432/databot",
      REPLICAS: "2",
      REPLICA_ID: "pod-a",
      PORT: "8080",
    },
    "/",
  );
  expect(shared.store).toEqual({
    kind: "postgres",
    url: "postgres://databot:pw@db.internal:5432/databot",
    maxConnections: 10,
  });
  expect(shared.replica).toEqual({ replicas: 2, replicaId: "pod-a" });
  // Without REPLICA_ID a replica is named after its host and port, so two on one machine differ.
  expect(loadConfig({ PORT: "8080" }, "/").replica.replicaId).toMatch(/:8080$/);

  expect(problems({ REPLICAS: "3" })).toEqual([expect.stringMatching(/^REPLICAS=3: .*set DATABASE_URL/)]);
  const malformed = problems({ DATABASE_URL: "mysql://root:hunter2@db/databot" });
  expect(malformed).toEqual([expect.stringMatching(/^DATABASE_URL: must be a postgres:\/\//)]);
  expect(malformed.join("\n")).not.toContain("hunter2");
  expect(problems({ REPLICA_ID: "pod a/1" })).toEqual([expect.stringMatching(/^REPLICA_ID:/)]);
});
