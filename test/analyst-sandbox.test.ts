/**
 * The offline analyst through the real local sandbox (bubblewrap jail, warm pool): a shared CSV gets its
 * overview and first chart, and follow-ups get charts, exactly as with the plain test interpreter.
 */
import { createReadStream } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../src/config";
import { silentLogger } from "../src/core/logger";
import { createOfflineAnalyst } from "../src/adapters/agents/local-engine/analyst";
import { createSandboxEngine } from "../src/adapters/agents/local-engine/sandbox";
import type { AnalystOutput, SandboxSession } from "../src/adapters/agents/local-engine/types";
import { expectShown, pandas, tableRows, VEGA_DATA } from "./support/analyst-conversation";

const engine = createSandboxEngine({
  config: { ...loadConfig({}, "/tmp").local, poolSize: 1 },
  logger: silentLogger,
});
const analyst = createOfflineAnalyst();
let session: SandboxSession;

beforeAll(async () => {
  expect(await engine.ready()).toBe("isolated");
  session = await engine.startSession();
});
afterAll(async () => {
  await session?.close();
  await engine.close();
});

async function ask(question: string, newFiles: string[] = []): Promise<AnalystOutput> {
  return analyst.answer({
    question,
    newFiles,
    files: await session.listFiles(),
    history: [],
    sessionRestarted: false,
    session,
    onProgress: () => undefined,
  });
}

/** Width and height from a PNG's header. */
function pngSize(data: Buffer): [number, number] {
  expect(data.subarray(1, 4).toString()).toBe("PNG");
  return [data.readUInt32BE(16), data.readUInt32BE(20)];
}

test("a CSV shared into the sandbox gets an overview and a time-series chart", async () => {
  await session.writeFile("seattle-weather.csv", createReadStream(join(VEGA_DATA, "seattle-weather.csv")));
  const out = await ask("", ["seattle-weather.csv"]);
  expect(out.text).toContain("**seattle-weather.csv** has 1,461 rows and 6 columns.");
  const images = out.cells.flatMap((c) => c.result.images);
  expect(images).toHaveLength(1);
  expect(pngSize(images[0]?.data as Buffer)).toEqual([1000, 600]);
});

test("a follow-up in the same sandbox session reuses the loaded table and charts the real means", async () => {
  const out = await ask("bar chart of average temp_max by weather");
  expect(out.cells).toHaveLength(1);
  expect(out.cells[0]?.result.images).toHaveLength(1);
  const means = pandas<Record<string, number>>(
    `df = pd.read_csv(${JSON.stringify(join(VEGA_DATA, "seattle-weather.csv"))})\n` +
      `print(df.groupby("weather")["temp_max"].mean().to_json())`,
  );
  for (const [weather, mean] of Object.entries(means)) {
    expectShown(tableRows(out.text).find((r) => r[0] === weather)?.[1], mean);
  }
});

test("a scatter and a correlation run in the jail too", async () => {
  const out = await ask("correlation between temp max and temp min");
  expect(out.cells[0]?.result.error).toBeUndefined();
  expect(out.cells[0]?.result.images).toHaveLength(1);
  expect(out.text).toMatch(/Pearson r = \*\*0\.876\*\*/);
});
