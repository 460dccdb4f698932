/**
 * Files as people export them, read the way their values say: a German export with decimal commas and
 * day-first dates, a French one in Windows-1252, US amounts in quotes, dates whose order the values leave open.
 * The overview says how each was read, every answer repeats what matters for its numbers, and the numbers equal
 * pandas' on the clean data.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UPLOAD_ONLY_PROMPT } from "../src/core/conversation/commands";
import { Conversation, expectShown, pandas, tableRows } from "./support/analyst-conversation";

let made: string;
let chat: Conversation;

beforeAll(async () => {
  made = await mkdtemp(join(tmpdir(), "databot-reading-"));
  execFileSync("/usr/bin/python3", [join(__dirname, "eval", "make_files.py"), made]);
  chat = await Conversation.start();
});
afterAll(async () => {
  await chat.close();
  await rm(made, { recursive: true, force: true });
});

function cleanSums(file: string, by: string, column: string, dates?: string): Record<string, number> {
  return pandas<Record<string, number>>(
    `df = pd.read_csv(${JSON.stringify(join(made, file))}${dates ? `, parse_dates=[${JSON.stringify(dates)}]` : ""})\n` +
      `print(df.groupby(${by})[${JSON.stringify(column)}].sum().to_json())`,
  );
}

it("a file shared without a question gets its overview, saying how it was read, not 'I couldn't'", async () => {
  const turn = await chat.share(join(made, "umsatz.csv"), UPLOAD_ONLY_PROMPT);
  expect(turn.text).toMatch(/^\*\*umsatz\.csv\*\* has 640 rows and 5 columns\./);
  expect(turn.text).toContain("- Read as semicolon-separated text (UTF-8 with a byte-order mark).");
  expect(turn.text).toContain("- Skipped 1 empty row.");
  expect(turn.text).toContain(
    "- `Datum`: dates read day-first (31.01.2024 is 31 January 2024), from the values.",
  );
  expect(turn.text).toContain("- `Umsatz`: decimal commas (1.234,56 is 1234.56).");
  expect(turn.text).toContain("- `Menge`: dots as thousands separators (1.500 is 1500).");
});

it("decimal commas and day-first dates give the totals of the clean data, and the answer says how they were read", async () => {
  const byRegion = await chat.ask("total Umsatz by Region");
  const sums = cleanSums("umsatz.clean.csv", '"Region"', "Umsatz");
  for (const [region, sum] of Object.entries(sums))
    expectShown(tableRows(byRegion.text).find((r) => r[0] === region)?.[1], sum);
  expect(byRegion.text).toContain("decimal commas in Umsatz read as decimals");
  const byMonth = await chat.ask("Umsatz by month");
  const monthly = cleanSums("umsatz.clean.csv", 'df["Datum"].dt.strftime("%Y-%m")', "Umsatz", "Datum");
  for (const [month, sum] of Object.entries(monthly).slice(-12)) {
    expectShown(tableRows(byMonth.text).find((r) => r[0] === month)?.[1], sum);
  }
  expect(byMonth.text).toContain("Datum read day-first");
});

it("a Windows-1252 file keeps its accents", async () => {
  const turn = await chat.share(join(made, "ventes.csv"), "total montant by catégorie");
  const sums = cleanSums("ventes.clean.csv", '"catégorie"', "montant");
  for (const [category, sum] of Object.entries(sums))
    expectShown(tableRows(turn.text).find((r) => r[0] === category)?.[1], sum);
});

it("dates that fit both orders are read one way, said so, and read the other way when asked", async () => {
  const overview = await chat.share(join(made, "ambiguous-dates.csv"), UPLOAD_ONLY_PROMPT);
  expect(overview.text).toContain("fits both day-first and month-first; I read them month-first.");
  expect(overview.text).toContain('Say "dates are day-first" to read them day-first.');
  const monthFirst = await chat.ask("total amount by month");
  expect(monthFirst.text).toContain(
    'date read month-first, which its values leave open (say "dates are day-first" to switch)',
  );
  const reread = await chat.ask("dates are day-first");
  expect(reread.text).toMatch(
    /^I read \*\*ambiguous-dates\.csv\*\* again with dates day-first, as you said\./,
  );
  const dayFirst = await chat.ask("total amount by month");
  const sums = cleanSums("ambiguous-dates.clean.csv", 'df["date"].dt.strftime("%Y-%m")', "amount", "date");
  for (const [month, sum] of Object.entries(sums))
    expectShown(tableRows(dayFirst.text).find((r) => r[0] === month)?.[1], sum);
});

it("a workbook's other sheet answers a question about its columns", async () => {
  await chat.share(join(made, "workbook.xlsx"), UPLOAD_ONLY_PROMPT);
  const turn = await chat.ask("target by region");
  expect(turn.text).toMatch(/^\*\*(Sum|Mean) of Target by Region\*\*/);
  expect(tableRows(turn.text).find((r) => r[0] === "EMEA")?.[1]).toBe("25,000");
});
