/**
 * The offline analyst on real public data (the vega-datasets package): each kind of request gets a chart of the
 * right kind (read back from the open matplotlib figures, not just "a PNG exists"), with titles and labels, no
 * overlapping tick labels, and an answer whose numbers match pandas computed separately here.
 */
import { join } from "node:path";
import {
  Conversation,
  expectReadable,
  expectShown,
  type FigureInfo,
  pandas,
  tableRows,
  type Turn,
  VEGA_DATA,
} from "./support/analyst-conversation";

const weatherCsv = join(VEGA_DATA, "seattle-weather.csv");
const readWeather = `df = pd.read_csv(${JSON.stringify(weatherCsv)}, parse_dates=["date"])`;

function onlyFigure(turn: Turn): FigureInfo {
  expect(turn.figures).toHaveLength(1);
  const figure = turn.figures[0] as FigureInfo;
  expectReadable(figure);
  expect(turn.images).toHaveLength(1);
  expect(turn.images[0]?.data.subarray(0, 8)).toEqual(
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  );
  return figure;
}

/** The answer's table as {first column → other columns}. */
function tableByKey(text: string): Map<string, string[]> {
  return new Map(
    tableRows(text)
      .slice(1)
      .map(([key, ...rest]) => [key as string, rest]),
  );
}

describe("a CSV of Seattle weather shared in a thread", () => {
  let chat: Conversation;
  beforeAll(async () => {
    chat = await Conversation.start();
  });
  afterAll(() => chat.close());

  it("gets an overview and a first time-series chart", async () => {
    const turn = await chat.share(weatherCsv);
    expect(turn.text).toContain("**seattle-weather.csv** has 1,461 rows and 6 columns.");
    const columns = tableByKey(turn.text);
    expect([...columns.keys()]).toEqual(["date", "precipitation", "temp_max", "temp_min", "wind", "weather"]);
    expect(columns.get("weather")).toEqual(["text", "0", "5 distinct: rain, sun, fog, drizzle, snow"]);
    const mean = pandas<number>(`${readWeather}\nprint(df["precipitation"].mean())`);
    expectShown(/mean ([\d.,]+)/.exec(columns.get("precipitation")?.[2] ?? "")?.[1], mean);
    expect(tableRows(turn.text, 1)[1]).toEqual(["2012-01-01", "0", "12.8", "5", "4.7", "drizzle"]);

    const axes = onlyFigure(turn).axes[0];
    expect(axes).toMatchObject({
      title: "Sum of precipitation by month",
      lines: 1,
      linePoints: 48,
      dateAxis: true,
    });
    expect(axes?.ylabel).toBe("Sum of precipitation");
    expect(turn.progress.filter((p) => p.kind === "running_code")).toHaveLength(2);
  });

  it("'bar chart of average temp_max by weather' draws sorted bars with the real means", async () => {
    const turn = await chat.ask("bar chart of average temp_max by weather");
    const axes = onlyFigure(turn).axes[0];
    expect(axes).toMatchObject({ bars: 5, lines: 0, xlabel: "weather", ylabel: "Mean of temp_max" });
    const means = pandas<Record<string, number>>(
      `${readWeather}\nprint(df.groupby("weather")["temp_max"].mean().to_json())`,
    );
    const sorted = Object.entries(means).sort((a, b) => b[1] - a[1]);
    expect(axes?.xTickLabels).toEqual(sorted.map(([k]) => k));
    axes?.barValues.forEach((v, i) => expect(v).toBeCloseTo(sorted[i]?.[1] as number, 6));
    const shown = tableByKey(turn.text);
    for (const [weather, mean] of sorted) expectShown(shown.get(weather)?.[0], mean);
    expect(turn.text).toMatch(/Highest: \*\*sun\*\*/);
  });

  it("'pie chart of weather' draws one wedge per weather with the real counts", async () => {
    const turn = await chat.ask("Pie chart of weather");
    const axes = onlyFigure(turn).axes[0];
    expect(axes).toMatchObject({ wedges: 5, bars: 0, title: "Number of rows by weather" });
    const counts = pandas<Record<string, number>>(
      `${readWeather}\nprint(df["weather"].value_counts().to_json())`,
    );
    const shown = tableByKey(turn.text);
    for (const [weather, count] of Object.entries(counts))
      expect(shown.get(weather)).toEqual([String(count)]);
  });

  it("'histogram of wind' draws adjoining bins on round edges and reports the real quartiles", async () => {
    const turn = await chat.ask("histogram of wind");
    const axes = onlyFigure(turn).axes[0];
    expect(axes).toMatchObject({ contiguousBars: true, xlabel: "wind", ylabel: "Number of rows" });
    expect(axes?.bars).toBeGreaterThanOrEqual(15);
    // Round edges a person can read: every tick a multiple of a round step, none below the smallest value.
    expect(axes?.xTickLabels.every((t) => /^\d+(\.\d)?$/.test(t))).toBe(true);
    expect(axes?.barValues.reduce<number>((a, b) => a + (b ?? 0), 0)).toBe(1461);
    const stats = pandas<Record<string, number>>(`${readWeather}\nprint(df["wind"].describe().to_json())`);
    const shown = tableByKey(turn.text);
    expectShown(shown.get("Median")?.[0], stats["50%"] as number);
    expectShown(shown.get("Std. deviation")?.[0], stats.std as number);
  });

  it("'monthly precipitation in 2013' is a time series over formatted dates, filtered to 2013", async () => {
    const turn = await chat.ask("monthly precipitation in 2013");
    const axes = onlyFigure(turn).axes[0];
    expect(axes).toMatchObject({ lines: 1, linePoints: 12, dateAxis: true, xlabel: "date (monthly)" });
    expect(axes?.title).toBe("Sum of precipitation by month\n(date in 2013)");
    expect(turn.text).toContain(
      "Computed: sum of precipitation by date (monthly) over 365 rows, 2013-01 to 2013-12, where date in 2013.",
    );
    const monthly = pandas<Record<string, number>>(
      `${readWeather}\nm = df[df["date"].dt.year == 2013].resample("MS", on="date")["precipitation"].sum()\n` +
        `m.index = m.index.strftime("%Y-%m")\nprint(m.to_json())`,
    );
    const shown = tableByKey(turn.text);
    expect(shown.size).toBe(12);
    for (const [month, total] of Object.entries(monthly)) expectShown(shown.get(month)?.[0], total);
  });

  it("'top 5 months by precipitation' ranks the five wettest months", async () => {
    const turn = await chat.ask("top 5 months by precipitation");
    const axes = onlyFigure(turn).axes[0];
    expect(axes).toMatchObject({ bars: 5, title: "Top 5 months by sum of precipitation" });
    const top = pandas<Record<string, number>>(
      `${readWeather}\nm = df.resample("MS", on="date")["precipitation"].sum().nlargest(5)\n` +
        `m.index = m.index.strftime("%b %Y")\nprint(m.to_json())`,
    );
    expect(axes?.xTickLabels).toEqual(Object.keys(top));
    axes?.barValues.forEach((v, i) => expect(v).toBeCloseTo(Object.values(top)[i] as number, 6));
  });

  it("'correlation between max temp and min temp' gives Pearson r and a scatter with its trend line", async () => {
    const turn = await chat.ask("correlation between max temp and min temp");
    const axes = onlyFigure(turn).axes[0];
    expect(axes).toMatchObject({ scatterPoints: 1461, lines: 1, xlabel: "temp_max", ylabel: "temp_min" });
    const r = pandas<number>(`${readWeather}\nprint(df["temp_max"].corr(df["temp_min"]))`);
    expect(turn.text).toContain(`Pearson r = **${r.toFixed(3)}**: a strong positive relationship`);
  });

  it("'correlation matrix' draws a heatmap of every number column", async () => {
    const turn = await chat.ask("correlation matrix");
    const axes = onlyFigure(turn).axes[0];
    expect(axes?.images).toBe(1);
    expect(axes?.xTickLabels).toEqual(["precipitation", "temp_max", "temp_min", "wind"]);
    const r = pandas<number>(`${readWeather}\nprint(df["precipitation"].corr(df["wind"]))`);
    expect(tableByKey(turn.text).get("precipitation")?.[3]).toBe(r.toFixed(2));
  });

  it("'median wind by weather excluding sun' filters before aggregating", async () => {
    const turn = await chat.ask("median wind by weather excluding sun");
    const axes = onlyFigure(turn).axes[0];
    expect(axes).toMatchObject({ bars: 4, ylabel: "Median of wind" });
    expect(axes?.xTickLabels).not.toContain("sun");
    const medians = pandas<Record<string, number>>(
      `${readWeather}\nprint(df[df["weather"] != "sun"].groupby("weather")["wind"].median().to_json())`,
    );
    const shown = tableByKey(turn.text);
    for (const [weather, median] of Object.entries(medians)) expectShown(shown.get(weather)?.[0], median);
  });
});

describe("other public tables", () => {
  let chat: Conversation;
  beforeAll(async () => {
    chat = await Conversation.start();
  });
  afterAll(() => chat.close());

  it("stocks: a line per symbol over monthly dates", async () => {
    await chat.share(join(VEGA_DATA, "stocks.csv"));
    const turn = await chat.ask("line chart of price over date for each symbol");
    const axes = onlyFigure(turn).axes[0];
    expect(axes).toMatchObject({ lines: 5, dateAxis: true, legend: ["AAPL", "AMZN", "GOOG", "IBM", "MSFT"] });
    const last = pandas<Record<string, number>>(
      `df = pd.read_csv(${JSON.stringify(join(VEGA_DATA, "stocks.csv"))})\n` +
        `print(df[df["date"] == "Mar 1 2010"].set_index("symbol")["price"].to_json())`,
    );
    const rows = tableRows(turn.text);
    expect(rows[0]).toEqual(["date (monthly)", "AAPL", "AMZN", "GOOG", "IBM", "MSFT"]);
    const march = rows.find((r) => r[0] === "2010-03") as string[];
    ["AAPL", "AMZN", "GOOG", "IBM", "MSFT"].forEach((s, i) => expectShown(march[i + 1], last[s] as number));
  });

  it("stocks: 'which symbol has the highest average price' leads with the answer", async () => {
    const turn = await chat.ask("Which symbol has the highest average price?");
    expect(onlyFigure(turn).axes[0]?.bars).toBe(5);
    const top = pandas<[string, number]>(
      `df = pd.read_csv(${JSON.stringify(join(VEGA_DATA, "stocks.csv"))})\n` +
        `m = df.groupby("symbol")["price"].mean()\nprint(json.dumps([m.idxmax(), m.max()]))`,
    );
    expect(turn.text).toContain(`**${top[0]}** has the highest mean of price (${top[1].toFixed(2)})`);
  });

  it("cars (JSON records): a scatter coloured by origin, with the real correlation", async () => {
    await chat.share(join(VEGA_DATA, "cars.json"));
    const turn = await chat.ask("scatter of mpg vs horsepower colored by origin");
    const axes = onlyFigure(turn).axes[0];
    expect(axes).toMatchObject({ scatterPoints: 392, xlabel: "Horsepower", ylabel: "Miles_per_Gallon" });
    expect([...(axes?.legend ?? [])].sort()).toEqual(["Europe", "Japan", "USA"]);
    const r = pandas<number>(
      `df = pd.read_json(${JSON.stringify(join(VEGA_DATA, "cars.json"))})\n` +
        `print(df["Horsepower"].corr(df["Miles_per_Gallon"]))`,
    );
    expect(turn.text).toContain(`392 points. Pearson r = **${r.toFixed(3)}**`);
  });

  it("cars: bars over a small whole-number column stay in its order", async () => {
    const turn = await chat.ask("average mpg by cylinders");
    const axes = onlyFigure(turn).axes[0];
    expect(axes).toMatchObject({ bars: 5, xTickLabels: ["3", "4", "5", "6", "8"] });
  });

  it("Iowa electricity: a stacked area per source over the years", async () => {
    await chat.share(join(VEGA_DATA, "iowa-electricity.csv"));
    const turn = await chat.ask("area chart of net generation by year for each source");
    const axes = onlyFigure(turn).axes[0];
    expect(axes).toMatchObject({ areas: 3, dateAxis: true, ylabel: "Sum of net_generation" });
    const y2017 = pandas<Record<string, number>>(
      `df = pd.read_csv(${JSON.stringify(join(VEGA_DATA, "iowa-electricity.csv"))})\n` +
        `print(df[df["year"] == "2017-01-01"].set_index("source")["net_generation"].to_json())`,
    );
    const rows = tableRows(turn.text);
    const row2017 = rows.find((r) => r[0] === "2017") as string[];
    rows[0]?.slice(1).forEach((source, i) => expectShown(row2017[i + 1], y2017[source] as number));
  });

  it("penguins: units in column names, and a histogram per species", async () => {
    await chat.share(join(VEGA_DATA, "penguins.json"));
    const turn = await chat.ask("histogram of body mass for each species");
    const axes = onlyFigure(turn).axes[0];
    expect(axes?.xlabel).toBe("Body Mass (g)");
    // The same round bins for every species.
    expect((axes?.bars ?? 0) % 3).toBe(0);
    expect(axes?.bars).toBeGreaterThanOrEqual(45);
    expect([...(axes?.legend ?? [])].sort()).toEqual(["Adelie", "Chinstrap", "Gentoo"]);
    const medians = pandas<Record<string, number>>(
      `df = pd.read_json(${JSON.stringify(join(VEGA_DATA, "penguins.json"))})\n` +
        `print(df.groupby("Species")["Body Mass (g)"].median().to_json())`,
    );
    const shown = tableByKey(turn.text);
    for (const [species, median] of Object.entries(medians)) expectShown(shown.get(species)?.[5], median);
  });

  it("disasters: a yearly line over a whole-number Year column, filtered by value and year", async () => {
    await chat.share(join(VEGA_DATA, "disasters.csv"));
    const turn = await chat.ask("deaths by year for all natural disasters after 1950");
    const axes = onlyFigure(turn).axes[0];
    expect(axes?.lines).toBe(1);
    expect(axes?.xTickLabels.every((t) => /^\d{4}$/.test(t))).toBe(true);
    const deaths = pandas<Record<string, number>>(
      `df = pd.read_csv(${JSON.stringify(join(VEGA_DATA, "disasters.csv"))})\n` +
        `d = df[(df["Entity"] == "All natural disasters") & (df["Year"] > 1950)]\n` +
        `print(d.set_index("Year")["Deaths"].to_json())`,
    );
    const shown = tableByKey(turn.text);
    expect(shown.size).toBe(12);
    for (const [year, value] of shown) expectShown(value[0], deaths[year] as number);
  });

  it("penguins: 'for each' on a bar chart groups the bars, with upright labels", async () => {
    const turn = await chat.ask("bar chart of mean beak depth by island for each sex");
    const axes = onlyFigure(turn).axes[0];
    expect(axes).toMatchObject({
      legend: [".", "FEMALE", "MALE"],
      xTickLabels: ["Biscoe", "Torgersen", "Dream"],
    });
    expect(axes?.bars).toBe(9);
    const means = pandas<Record<string, number>>(
      `df = pd.read_json(${JSON.stringify(join(VEGA_DATA, "penguins.json"))})\n` +
        `print(df[df.Sex == "MALE"].groupby("Island")["Beak Depth (mm)"].mean().to_json())`,
    );
    const shown = tableByKey(turn.text);
    for (const [island, mean] of Object.entries(means)) expectShown(shown.get(island)?.[2], mean);
  });

  it("github: weekly bars start on Mondays and show a readable subset of their labels", async () => {
    await chat.share(join(VEGA_DATA, "github.csv"));
    const turn = await chat.ask("bar chart of count by week");
    const axes = onlyFigure(turn).axes[0];
    expect(axes?.bars).toBe(22);
    expect(axes?.xTickLabels.length).toBeLessThanOrEqual(12);
    expect(axes?.xTickLabels[0]).toBe("2014-12-29");
    const weekly = pandas<Record<string, number>>(
      `df = pd.read_csv(${JSON.stringify(join(VEGA_DATA, "github.csv"))}, parse_dates=["time"])\n` +
        `w = df.resample("W-MON", on="time", label="left", closed="left")["count"].sum()\n` +
        `w.index = w.index.strftime("%Y-%m-%d")\nprint(w.to_json())`,
    );
    axes?.barValues.forEach((v, i) => expect(v).toBe(Object.values(weekly)[i]));
  });

  it("gapminder: 187 countries become 19 readable bars and Other; a top 10 is exactly ten", async () => {
    await chat.share(join(VEGA_DATA, "gapminder-health-income.csv"));
    const many = await chat.ask("bar chart of income by country");
    const axes = onlyFigure(many).axes[0];
    expect(axes).toMatchObject({ bars: 20, horizontal: true });
    expect(axes?.yTickLabels[19]).toBe("Other");
    const top = await chat.ask("top 10 countries by income");
    expect(onlyFigure(top).axes[0]?.bars).toBe(10);
    const best = pandas<Record<string, number>>(
      `df = pd.read_csv(${JSON.stringify(join(VEGA_DATA, "gapminder-health-income.csv"))})\n` +
        `print(df.set_index("country")["income"].nlargest(10).to_json())`,
    );
    expect([...tableByKey(top.text).keys()]).toEqual(Object.keys(best));
  });

  it("gapminder: a line through 187 countries, which have no order, becomes the largest bars and Other", async () => {
    const turn = await chat.ask("line chart of income by country");
    const axes = onlyFigure(turn).axes[0];
    expect(axes).toMatchObject({ bars: 20, lines: 0, horizontal: true });
    expect(turn.text).toContain(
      "A line through 187 values of country, which have no order, could not be read",
    );
  });
});

describe("charts that stay readable whatever was asked", () => {
  let chat: Conversation;
  beforeAll(async () => {
    chat = await Conversation.start();
    await chat.share(weatherCsv);
  });
  afterAll(() => chat.close());

  it("a pie of 48 months is drawn as bars, and the answer says why", async () => {
    const turn = await chat.ask("pie chart of precipitation by month");
    const axes = onlyFigure(turn).axes[0];
    expect(axes).toMatchObject({ wedges: 0, bars: 48 });
    expect(turn.text).toContain("A pie of 48 slices could not be read, so this is a bar chart.");
  });

  it("a pie of averages is drawn as bars: an average is not part of a whole", async () => {
    const turn = await chat.ask("pie chart of average wind by weather");
    expect(onlyFigure(turn).axes[0]).toMatchObject({ wedges: 0, bars: 5 });
    expect(turn.text).toContain("A pie shows the parts of a whole, and a mean is not a part of one");
  });

  it("ranges of a measure that is never negative start at zero, on round edges with distinct labels", async () => {
    const turn = await chat.ask("average temp_max by precipitation");
    const labels = tableRows(turn.text)
      .slice(1)
      .map((r) => r[0] as string);
    expect(labels[0]).toMatch(/^0 to \d+$/);
    expect(new Set(labels).size).toBe(labels.length);
    for (const label of labels) {
      const [low, high] = label.split(" to ").map(Number) as [number, number];
      expect(low).toBeGreaterThanOrEqual(0);
      expect(high - low).toBe(10);
    }
    const histogram = await chat.ask("histogram of precipitation");
    const ticks = onlyFigure(histogram).axes[0]?.xTickLabels.map((t) => Number(t.replace("−", "-"))) ?? [];
    expect(Math.min(...ticks)).toBeGreaterThanOrEqual(0);
  });
});
