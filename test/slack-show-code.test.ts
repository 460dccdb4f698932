/**
 * The "Show code" button under an answer posts the Python that produced it, as a snippet in the thread —
 * also after databot restarted, since the code is kept in the store rather than in memory.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { SqliteStore } from "../src/adapters/stores/sqlite/sqlite-store";
import { ScriptedBackend } from "./fakes/scripted-backend";
import { DATABOT, FakeSlack, seedAcme, visibleText } from "./fakes/slack/fake-slack";
import { startTestDatabot, type TestDatabot } from "./support/harness";

const DAY = 24 * 3600_000;
const mention = (text: string) => `<@${DATABOT.userId}> ${text}`;

let slack: FakeSlack;
let bot: TestDatabot | undefined;
let dataDir: string;

beforeEach(async () => {
  slack = await FakeSlack.start();
  seedAcme(slack);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "databot-slack-code-"));
});

afterEach(async () => {
  await bot?.close();
  bot = undefined;
  await slack.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function startBot(backend = new ScriptedBackend(), env: Record<string, string> = {}) {
  bot = await startTestDatabot({ env: { ...slack.env(), ...env }, backend, dataDir });
  slack.eventsUrl = `${bot.url}/slack/events`;
  return bot;
}

test("clicking Show code posts the code that ran as a Python snippet in the thread", async () => {
  const backend = new ScriptedBackend();
  backend.script = () => ({
    text: "East leads with 120.",
    images: [],
    files: [],
    code: [
      {
        language: "python",
        code: "import pandas as pd\ndf = pd.read_csv('/mnt/data/sales.csv')",
        output: "",
      },
      {
        language: "python",
        code: "df.groupby('region').revenue.sum()",
        output: "region\nEast    120\nWest     95",
      },
    ],
    notices: [],
  });
  const running = await startBot(backend);
  const asked = await slack.post("U0ANA", { channel: "C0SALES", text: mention("who leads?") });
  await running.waitForTurns(1);
  const [answer] = slack.databotReplies("C0SALES", asked.ts);
  expect(visibleText(answer!)).toBe("East leads with 120.\n[Show code]");

  expect(await slack.click("U0BEN", answer!, "databot_show_code")).toBe(200);
  const snippet = await slack.waitFor(() => slack.databotReplies("C0SALES", asked.ts)[1]);
  expect(snippet.text).toBe("Here is the Python that ran for this answer, as <@U0BEN> asked.");
  const file = slack.state.files.get(snippet.files[0]!)!;
  expect(file).toMatchObject({ name: "analysis.py", snippetType: "python" });
  expect(file.bytes.toString("utf8")).toBe(
    [
      "# --- step 1 ---",
      "import pandas as pd",
      "df = pd.read_csv('/mnt/data/sales.csv')",
      "",
      "# --- step 2 ---",
      "df.groupby('region').revenue.sum()",
      "# output:",
      "#   region",
      "#   East    120",
      "#   West     95",
      "",
    ].join("\n"),
  );

  // A second click does not post the code again; only the person who clicked is told where it is.
  await slack.click("U0ANA", answer!, "databot_show_code");
  const note = await slack.waitFor(() => slack.state.messages.find((m) => m.ephemeralFor === "U0ANA"));
  expect(note.text).toBe("The code behind this answer is already posted in this thread.");
  expect(slack.databotReplies("C0SALES", asked.ts)).toHaveLength(2);
});

test("Show code still works after databot restarted", async () => {
  const first = await startBot();
  const asked = await slack.post("U0ANA", { channel: "C0SALES", text: mention("chart revenue") });
  await first.waitForTurns(1);
  const [answer] = slack.databotReplies("C0SALES", asked.ts);
  await first.close();
  bot = undefined;

  await startBot();
  expect(await slack.click("U0ANA", answer!, "databot_show_code")).toBe(200);
  const snippet = await slack.waitFor(() => slack.databotReplies("C0SALES", asked.ts)[1]);
  expect(slack.state.files.get(snippet.files[0]!)!.bytes.toString("utf8")).toContain("pd.read_csv");
});

test("with a shorter RETENTION_DAYS the code is deleted sooner, and a click says how long it is kept", async () => {
  const first = await startBot(undefined, { RETENTION_DAYS: "2" });
  const asked = await slack.post("U0ANA", { channel: "C0SALES", text: mention("chart revenue") });
  await first.waitForTurns(1);
  const [answer] = slack.databotReplies("C0SALES", asked.ts);
  await first.close();
  bot = undefined;

  // Three days later the purge removes what expired.
  const later = new SqliteStore({
    file: path.join(dataDir, "databot.sqlite"),
    now: () => Date.now() + 3 * DAY,
  });
  await later.purgeExpired(DAY);
  await later.close();

  await startBot(undefined, { RETENTION_DAYS: "2" });
  await slack.click("U0ANA", answer!, "databot_show_code");
  const note = await slack.waitFor(() => slack.state.messages.find((m) => m.ephemeralFor === "U0ANA"));
  expect(note.text).toBe("The code behind this answer is no longer kept (databot keeps it for 2 days).");
  expect(slack.databotReplies("C0SALES", asked.ts)).toHaveLength(1);
});

test("an answer without code has no Show code button", async () => {
  const backend = new ScriptedBackend();
  backend.script = () => ({ text: "Nothing to compute here.", images: [], files: [], code: [], notices: [] });
  const running = await startBot(backend);
  const asked = await slack.post("U0ANA", { channel: "C0SALES", text: mention("hello") });
  await running.waitForTurns(1);
  const [answer] = slack.databotReplies("C0SALES", asked.ts);
  expect(visibleText(answer!)).toBe("Nothing to compute here.");
  expect(answer!.blocks!.some((b) => b.type === "actions")).toBe(false);
});
