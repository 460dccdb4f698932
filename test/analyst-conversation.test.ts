/**
 * The offline analyst across a conversation: workbooks, text tables and exports with dollar amounts; follow-ups
 * on the newest table or a named one; restarts; helpful answers to failures and to questions it cannot read;
 * and questions or file names that try to smuggle code into a cell.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Conversation, expectShown, pandas, tableRows, VEGA_DATA } from "./support/analyst-conversation";

const weatherCsv = join(VEGA_DATA, "seattle-weather.csv");
const stocksCsv = join(VEGA_DATA, "stocks.csv");
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "databot-analyst-files-"));
  // Real public data saved the way people share it: a two-sheet workbook, a semicolon text table with dollar
  // prices, and a sales-style export with US dates and a "Revenue ($)" column.
  pandas(`
weather = pd.read_csv(${JSON.stringify(weatherCsv)})
stocks = pd.read_csv(${JSON.stringify(stocksCsv)})
with pd.ExcelWriter(${JSON.stringify(join(scratch, "weather.xlsx"))}) as book:
    weather.to_excel(book, sheet_name="Daily", index=False)
    stocks.to_excel(book, sheet_name="Stocks", index=False)
priced = stocks.assign(price=stocks["price"].map(lambda p: f"\${p:,.2f}"))
priced.to_csv(${JSON.stringify(join(scratch, "stocks.txt"))}, sep=";", index=False)
both = pd.read_csv(${JSON.stringify(join(VEGA_DATA, "weather.csv"))}, parse_dates=["date"])
sales = pd.DataFrame({
    "Order Date": both["date"].dt.strftime("%m/%d/%Y"),
    "Region": both["location"],
    "Revenue ($)": (both["precipitation"] * 100).map(lambda v: f"\${v:,.2f}"),
})
sales.to_csv(${JSON.stringify(join(scratch, "sales export.csv"))}, index=False)
print("{}")
`);
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe("tables in the shapes people share them", () => {
  let chat: Conversation;
  beforeAll(async () => {
    chat = await Conversation.start();
  });
  afterAll(() => chat.close());

  it("an Excel workbook: the first sheet is read and the others are named", async () => {
    const turn = await chat.share(join(scratch, "weather.xlsx"));
    expect(turn.text).toContain("**weather.xlsx** has 1,461 rows and 6 columns.");
    expect(turn.text).toContain(
      "It is a workbook; I read the sheet `Daily` (others: Stocks; name one in a question",
    );
    expect(turn.figures[0]?.axes[0]?.dateAxis).toBe(true);
    const followUp = await chat.ask("average temp max by weather");
    const mean = pandas<number>(
      `df = pd.read_csv(${JSON.stringify(weatherCsv)})\nprint(df[df.weather == "fog"].temp_max.mean())`,
    );
    expectShown(tableRows(followUp.text).find((r) => r[0] === "fog")?.[1], mean);
  });

  it("a semicolon text table with '$1,234.56' prices: the delimiter is sniffed and the prices are numbers", async () => {
    const turn = await chat.share(join(scratch, "stocks.txt"));
    expect(tableRows(turn.text).find((r) => r[0] === "price")?.[1]).toBe("number");
    const followUp = await chat.ask("total price by symbol");
    const sums = pandas<Record<string, number>>(
      `df = pd.read_csv(${JSON.stringify(stocksCsv)})\nprint(df.groupby("symbol")["price"].sum().to_json())`,
    );
    for (const [symbol, sum] of Object.entries(sums)) {
      expectShown(tableRows(followUp.text).find((r) => r[0] === symbol)?.[1], sum);
    }
  });

  it("a sales export: 'chart monthly revenue by region' draws a line per region from dollar strings and US dates", async () => {
    await chat.share(join(scratch, "sales export.csv"));
    const turn = await chat.ask("chart monthly revenue by region");
    const axes = turn.figures[0]?.axes[0];
    expect(axes).toMatchObject({ lines: 2, dateAxis: true, ylabel: "Sum of Revenue ($)" });
    expect(axes?.title).toBe("Sum of Revenue ($) by month for each Region");
    const dec2015 = pandas<Record<string, number>>(
      `df = pd.read_csv(${JSON.stringify(join(VEGA_DATA, "weather.csv"))}, parse_dates=["date"])\n` +
        `d = df[(df.date.dt.year == 2015) & (df.date.dt.month == 12)]\n` +
        `print((d.groupby("location")["precipitation"].sum() * 100).to_json())`,
    );
    const rows = tableRows(turn.text);
    const row = rows.find((r) => r[0] === "2015-12") as string[];
    rows[0]?.slice(1).forEach((region, i) => expectShown(row[i + 1], dec2015[region] as number));
  });
});

describe("a conversation with several tables", () => {
  let chat: Conversation;
  beforeAll(async () => {
    chat = await Conversation.start();
  });
  afterAll(() => chat.close());

  it("follow-ups use the newest table, a named table, or the table that has the columns asked for", async () => {
    await chat.share(weatherCsv);
    await chat.share(stocksCsv);
    const newest = await chat.ask("average price by symbol");
    expect(newest.text).toContain("**Mean of price by symbol**");
    expect(newest.cells).toHaveLength(1);

    const named = await chat.ask("average wind by weather in seattle-weather.csv");
    expect(named.cells[0]?.code).toContain('path = "/mnt/data/seattle-weather.csv"');
    expect(named.text).toContain("**Mean of wind by weather**");

    const elsewhere = await chat.ask("histogram of price");
    expect(elsewhere.text).toContain("**Distribution of price**");
    expect(elsewhere.figures[0]?.axes[0]?.contiguousBars).toBe(true);
  });

  it("follow-ups change the last chart: 'as a pie chart', 'only in 2013', 'now by week', 'top 3 only'", async () => {
    await chat.ask("bar chart of total precipitation by weather in seattle-weather.csv");
    const pie = await chat.ask("as a pie chart");
    const positive = pandas<number>(
      `df = pd.read_csv(${JSON.stringify(weatherCsv)})\nprint(int((df.groupby("weather").precipitation.sum() > 0).sum()))`,
    );
    expect(pie.figures[0]?.axes[0]).toMatchObject({
      wedges: positive,
      title: "Sum of precipitation by weather",
    });
    const year = await chat.ask("only in 2013");
    expect(year.figures[0]?.axes[0]?.title).toBe("Sum of precipitation by weather\n(date in 2013)");
    const rain2013 = pandas<number>(
      `df = pd.read_csv(${JSON.stringify(weatherCsv)}, parse_dates=["date"])\n` +
        `print(df[(df.date.dt.year == 2013) & (df.weather == "rain")].precipitation.sum())`,
    );
    expectShown(tableRows(year.text).find((r) => r[0] === "rain")?.[1], rain2013);

    await chat.ask("monthly precipitation");
    const weekly = await chat.ask("now by week");
    expect(weekly.figures[0]?.axes[0]).toMatchObject({ lines: 1, dateAxis: true, xlabel: "date (weekly)" });
    const top = await chat.ask("top 3 only");
    expect(top.figures[0]?.axes[0]).toMatchObject({ bars: 3, title: "Top 3 weeks by sum of precipitation" });
  });

  it("after a session restart the table is loaded again before answering", async () => {
    chat.restartNext = true;
    const turn = await chat.ask("median price by symbol");
    expect(turn.cells).toHaveLength(2);
    expect(turn.cells[0]?.code).toContain("df, source, stats, reading = read_table(path");
    expect(turn.text).toContain("**Median of price by symbol**");
  });

  it("after a session restart a follow-up still changes the last question, read again from the conversation", async () => {
    const fresh = await Conversation.start();
    try {
      await fresh.share(weatherCsv, "total precipitation by month");
      fresh.restartNext = true;
      const turn = await fresh.ask("now only 2014");
      expect(turn.text).toMatch(/^\*\*Sum of precipitation by month\*\*/);
      expect(turn.text).toContain("where date in 2014");
    } finally {
      await fresh.close();
    }
  });

  it("when the interpreter lost the table without notice, it is loaded again and the cell rerun", async () => {
    await chat.session.run("del df");
    const turn = await chat.ask("max price by symbol");
    expect(turn.cells.map((c) => c.result.error?.name ?? "ok")).toEqual(["NameError", "ok", "ok"]);
    expect(turn.text).toContain("**Maximum of price by symbol**");
  });
});

describe("when the analyst cannot answer", () => {
  let chat: Conversation;
  beforeAll(async () => {
    chat = await Conversation.start();
  });
  afterAll(() => chat.close());

  it("with no table yet, it says what to share and how to connect a model", async () => {
    const turn = await chat.ask("hello");
    expect(turn.cells).toHaveLength(0);
    expect(turn.text).toContain("Share a table");
    for (const name of [
      "MODEL_BASE_URL",
      "MODEL_NAME",
      "MODEL_API_KEY",
      "AZURE_AI_PROJECT_ENDPOINT",
      "AZURE_AI_MODEL_DEPLOYMENT_NAME",
    ]) {
      expect(turn.text).toContain(name);
    }
  });

  it("a task for a language model gets what it can do, with examples from the table's own columns", async () => {
    await chat.share(weatherCsv);
    const turn = await chat.ask("forecast tomorrow's weather with a neural network");
    expect(turn.cells).toHaveLength(0);
    expect(turn.text).toMatch(/^I can't answer that without a language model/);
    expect(turn.text).toContain(
      "Columns of **seattle-weather.csv**: `date`, `precipitation`, `temp_max`, `temp_min`, `wind`, `weather`.",
    );
    expect(turn.text).toContain('"bar chart of total precipitation by weather"');
    expect(turn.text).toContain("MODEL_BASE_URL");
  });

  it("a column that does not exist is named, nothing is computed, and questions it can answer are offered", async () => {
    const turn = await chat.ask("bar chart of sales by region");
    expect(turn.cells).toHaveLength(0);
    expect(turn.text).toMatch(/^I can't answer that reliably, so I haven't computed anything\./);
    expect(turn.text).toContain(
      'I didn\'t understand: no column is called "sales"; no column is called "region".',
    );
    expect(turn.text).toContain('- "bar chart of precipitation by weather"');
    const suggestion = await chat.ask("bar chart of precipitation by weather");
    expect(suggestion.text).toMatch(/^\*\*Sum of precipitation by weather\*\*/);
  });

  it("a misspelt value gets the error, a suggestion and the values that exist", async () => {
    const turn = await chat.ask("average wind by month where weather is snwo");
    expect(turn.cells[0]?.result.error?.name).toBe("ValueError");
    expect(turn.text).toContain("That didn't work: `ValueError: No rows match: weather is snwo`.");
    expect(turn.text).toContain("Did you mean `snow`");
    expect(turn.text).toContain("Values of `weather`: `rain`, `sun`, `fog`, `drizzle`, `snow`.");
  });

  it("a file that is not a table, or not readable, is explained", async () => {
    const fresh = await Conversation.start();
    try {
      const pdf = join(scratch, "report.pdf");
      pandas(`open(${JSON.stringify(pdf)}, "wb").write(b"%PDF-1.4 not a table")\nprint("{}")`);
      const refused = await fresh.share(pdf, "what does this say?");
      expect(refused.text).toContain("not report.pdf");
      const broken = join(scratch, "broken.xlsx");
      pandas(`open(${JSON.stringify(broken)}, "w").write("just text")\nprint("{}")`);
      const unreadable = await fresh.share(broken);
      expect(unreadable.text).toMatch(/^I couldn't read \*\*broken\.xlsx\*\* as a table: `\w+/);
    } finally {
      await fresh.close();
    }
  });

  it("a new table with a question it cannot read still gets its overview", async () => {
    const fresh = await Conversation.start();
    try {
      const turn = await fresh.share(stocksCsv, "what's the churn rate?");
      expect(turn.text).toMatch(/^I can't answer that reliably/);
      expect(turn.text).toContain("Here is an overview of **stocks.csv**:");
      expect(turn.text).toContain("**stocks.csv** has 560 rows and 3 columns.");
      expect(turn.figures).toHaveLength(1);
    } finally {
      await fresh.close();
    }
  });
});

describe("code that reaches Python", () => {
  let chat: Conversation;
  beforeAll(async () => {
    chat = await Conversation.start();
  });
  afterAll(() => chat.close());

  it("a question cannot inject code: its words reach Python only as string literals", async () => {
    const marker = join(scratch, "injected");
    await chat.share(weatherCsv);
    const attack = `average wind by month where weather is x")\n__import__("pathlib").Path(${JSON.stringify(marker)}).touch()\n("`;
    const turn = await chat.ask(attack);
    expect(existsSync(marker)).toBe(false);
    expect(turn.cells[0]?.result.error?.name).toBe("ValueError");
    expect(turn.text).toContain("No rows match");
    // Words the parser cannot place make it decline before any code runs.
    const declined = await chat.ask(
      `average wind by month where weather is "); open(${JSON.stringify(marker)}, "w").write("x"); ("`,
    );
    expect(declined.cells).toHaveLength(0);
    expect(existsSync(marker)).toBe(false);
  });

  it("a file name with quotes and backslashes is read like any other", async () => {
    const turn = await chat.share(stocksCsv, "", `q"uo'te\\s; x.csv`);
    expect(turn.cells[0]?.code).toContain(`path = "/mnt/data/q\\"uo'te\\\\s; x.csv"`);
    expect(turn.text).toContain("has 560 rows and 3 columns.");
  });

  it("the cells shown are the code that ran, with /mnt/data paths", async () => {
    const turn = await chat.ask("average price by year for each symbol");
    expect(turn.progress).toEqual([{ kind: "running_code", code: turn.cells[0]?.code }]);
    expect(chat.session.codeRun[chat.session.codeRun.length - 1]).toBe(turn.cells[0]?.code);
    expect(turn.cells[0]?.code).not.toContain(chat.session.dir);
  });
});
