/**
 * `npm run fake-foundry`: starts the fake Foundry project alone (classic agents and new agents with the Responses
 * API), prints the settings that point databot at it
 * (one KEY=VALUE per line) and serves until stopped. Every question gets a short text, a chart and a CSV file.
 */
import { startFakeFoundry } from "./server";

async function main(): Promise<void> {
  const port = process.env.FAKE_FOUNDRY_PORT ? Number(process.env.FAKE_FOUNDRY_PORT) : 0;
  const fake = await startFakeFoundry({ port });
  for (const [key, value] of Object.entries(fake.env())) process.stdout.write(`${key}=${value}\n`);
  const stop = () => {
    fake.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`fake-foundry: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
