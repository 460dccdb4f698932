/**
 * How the offline analyst reads questions: loose column names, filters, chart kinds, aggregations, rankings and
 * time grains, against table profiles shaped like the ones its load cell prints. No Python needed.
 */
import {
  type ColumnInfo,
  type DataSchema,
  kindOfDtype,
} from "../src/adapters/agents/local-engine/analyst/data-schema";
import { exampleQuestions } from "../src/adapters/agents/local-engine/analyst/format/guide";
import { matchColumn } from "../src/adapters/agents/local-engine/analyst/parse/columns";
import {
  isGenericRequest,
  parseRequest,
} from "../src/adapters/agents/local-engine/analyst/parse/parse-request";
import type { AggregatePlan, Plan } from "../src/adapters/agents/local-engine/analyst/plan";

type Col = Partial<ColumnInfo> & { name: string; dtype: string };

function schema(file: string, rows: number, columns: Col[]): DataSchema {
  return {
    file,
    rows,
    columns: columns.map((c) => ({ missing: 0, unique: rows, ...c, kind: kindOfDtype(c.dtype) })),
    sample: { columns: columns.map((c) => c.name), data: [] },
    reading: { size: 0 },
  };
}

const sales = schema("sales.csv", 1200, [
  {
    name: "Order Date",
    dtype: "datetime64[ns]",
    unique: 700,
    min: "2021-01-03T00:00:00",
    max: "2023-12-30T00:00:00",
    resolution: "day",
  },
  { name: "Region", dtype: "object", unique: 4, values: ["West", "East", "North", "South"] },
  {
    name: "Product Category",
    dtype: "object",
    unique: 3,
    values: ["Office Supplies", "Furniture", "Technology"],
  },
  { name: "Revenue ($)", dtype: "float64", min: 3.5, max: 9800, mean: 410 },
  { name: "Units", dtype: "int64", unique: 40, min: 1, max: 40, mean: 6 },
  { name: "Unit Price (USD)", dtype: "float64", unique: 300, min: 1, max: 999, mean: 70 },
  { name: "order_id", dtype: "int64", min: 1, max: 1200 },
]);

const weather = schema("seattle-weather.csv", 1461, [
  {
    name: "date",
    dtype: "datetime64[ns]",
    min: "2012-01-01T00:00:00",
    max: "2015-12-31T00:00:00",
    resolution: "day",
  },
  { name: "precipitation", dtype: "float64", unique: 111, min: 0, max: 55.9, mean: 3.03 },
  { name: "temp_max", dtype: "float64", unique: 67, min: -1.6, max: 35.6, mean: 16.4 },
  { name: "temp_min", dtype: "float64", unique: 55, min: -7.1, max: 18.3, mean: 8.2 },
  { name: "wind", dtype: "float64", unique: 79, min: 0.4, max: 9.5, mean: 3.2 },
  { name: "weather", dtype: "object", unique: 5, values: ["rain", "sun", "fog", "drizzle", "snow"] },
]);

const cars = schema("cars.json", 406, [
  { name: "Name", dtype: "object", unique: 311 },
  { name: "Miles_per_Gallon", dtype: "float64", unique: 129, min: 9, max: 46.6, mean: 23.5 },
  { name: "Cylinders", dtype: "int64", unique: 5, min: 3, max: 8, mean: 5.5 },
  { name: "Horsepower", dtype: "float64", unique: 93, min: 46, max: 230, mean: 105 },
  { name: "Weight_in_lbs", dtype: "int64", unique: 356, min: 1613, max: 5140, mean: 2979 },
  {
    name: "Year",
    dtype: "datetime64[ns]",
    unique: 12,
    min: "1970-01-01T00:00:00",
    max: "1982-01-01T00:00:00",
    resolution: "year",
  },
  { name: "Origin", dtype: "object", unique: 3, values: ["USA", "Japan", "Europe"] },
]);

const penguins = schema("penguins.json", 344, [
  { name: "Species", dtype: "object", unique: 3, values: ["Adelie", "Gentoo", "Chinstrap"] },
  { name: "Beak Length (mm)", dtype: "float64", unique: 164, min: 32.1, max: 59.6 },
  { name: "Flipper Length (mm)", dtype: "float64", unique: 55, min: 172, max: 231 },
  { name: "Body Mass (g)", dtype: "float64", unique: 94, min: 2700, max: 6300 },
]);

function aggregate(plan: Plan): AggregatePlan {
  expect(plan.kind).toBe("aggregate");
  return plan as AggregatePlan;
}

describe("loose column names", () => {
  it.each([
    ["revenue", sales, "Revenue ($)"],
    ["Revenue ($)", sales, "Revenue ($)"],
    ["unit price", sales, "Unit Price (USD)"],
    ["regions", sales, "Region"],
    ["product categories", sales, "Product Category"],
    ["ORDER-DATE", sales, "Order Date"],
    ["max temp", weather, "temp_max"],
    ["maximum temperature", weather, "temp_max"],
    ["temp min", weather, "temp_min"],
    ["mpg", cars, "Miles_per_Gallon"],
    ["miles per gallon", cars, "Miles_per_Gallon"],
    ["weight", cars, "Weight_in_lbs"],
    ["body mass", penguins, "Body Mass (g)"],
    ["flipper length (mm)", penguins, "Flipper Length (mm)"],
  ])("%s names a column of %#", (phrase, table, column) => {
    expect(matchColumn(phrase, table.columns)?.name).toBe(column);
  });

  it("finds nothing for a word that names no column", () => {
    expect(matchColumn("churn", sales.columns)).toBeUndefined();
    expect(matchColumn("country", weather.columns)).toBeUndefined();
  });

  it("breaks a tie with the preferred kind", () => {
    const numberFirst = matchColumn("length", penguins.columns, (c) => c.kind === "number");
    expect(numberFirst?.name).toBe("Beak Length (mm)");
  });
});

describe("charts and aggregates", () => {
  it("reads measure, aggregation, dimension and chart kind", () => {
    const plan = aggregate(parseRequest("bar chart of average revenue by region", sales));
    expect(plan).toMatchObject({
      measures: ["Revenue ($)"],
      aggregation: "mean",
      dimension: { type: "category", column: "Region" },
      chart: "bar",
    });
  });

  it.each([
    ["total revenue by region", "sum"],
    ["median unit price by region", "median"],
    ["minimum units by region", "min"],
    ["max units per region", "max"],
    ["how many rows per region", "count"],
    ["number of unique product categories by region", "nunique"],
  ])("%s uses %s", (question, aggregation) => {
    expect(aggregate(parseRequest(question, sales)).aggregation).toBe(aggregation);
  });

  it("sums amounts and averages prices when no aggregation is named", () => {
    expect(aggregate(parseRequest("revenue by region", sales)).aggregation).toBe("sum");
    expect(aggregate(parseRequest("unit price by region", sales)).aggregation).toBe("mean");
  });

  it("turns 'chart monthly revenue by region' into months on the x-axis and a line per region", () => {
    const plan = aggregate(parseRequest("chart monthly revenue by region", sales));
    expect(plan).toMatchObject({
      measures: ["Revenue ($)"],
      dimension: { type: "date", column: "Order Date", grain: "month" },
      series: "Region",
      chart: "line",
    });
  });

  it.each([
    ["line chart of revenue by week", "week"],
    ["revenue per quarter", "quarter"],
    ["yearly units", "year"],
    ["daily revenue", "day"],
  ])("%s groups dates by %s", (question, grain) => {
    expect(aggregate(parseRequest(question, sales)).dimension).toEqual({
      type: "date",
      column: "Order Date",
      grain,
    });
  });

  it("keeps yearly data at its own grain when no grain is named", () => {
    expect(aggregate(parseRequest("average mpg over time for each origin", cars))).toMatchObject({
      dimension: { type: "date", column: "Year", grain: "year" },
      series: "Origin",
      chart: "line",
    });
  });

  it("reads 'for each <group>' as one series per group", () => {
    const plan = aggregate(parseRequest("area chart of units by region for each product category", sales));
    expect(plan).toMatchObject({
      chart: "area",
      dimension: { column: "Region" },
      series: "Product Category",
    });
  });

  it("counts rows of a text column asked for on its own", () => {
    expect(aggregate(parseRequest("pie chart of weather", weather))).toMatchObject({
      measures: [],
      aggregation: "count",
      dimension: { type: "category", column: "weather" },
      chart: "pie",
    });
  });

  it("counts a number with a handful of values like a category", () => {
    expect(aggregate(parseRequest("pie chart of cylinders", cars))).toMatchObject({
      measures: [],
      dimension: { type: "ordinal", column: "Cylinders" },
    });
  });

  it("cuts a number with many values into ranges", () => {
    expect(aggregate(parseRequest("average mpg by horsepower", cars)).dimension).toEqual({
      type: "binned",
      column: "Horsepower",
      bins: 10,
    });
  });

  it("answers a plain aggregate with one number and no chart", () => {
    expect(aggregate(parseRequest("average wind", weather))).toMatchObject({
      measures: ["wind"],
      chart: "none",
    });
  });
});

describe("rankings", () => {
  it("reads 'top N <dimension> by <measure>'", () => {
    expect(aggregate(parseRequest("top 5 product categories by revenue", sales))).toMatchObject({
      measures: ["Revenue ($)"],
      dimension: { column: "Product Category" },
      rank: { n: 5, order: "largest" },
      chart: "bar",
    });
  });

  it("ranks months when the grain is what is ranked", () => {
    expect(aggregate(parseRequest("bottom 3 months by precipitation", weather))).toMatchObject({
      measures: ["precipitation"],
      dimension: { type: "date", grain: "month" },
      rank: { n: 3, order: "smallest" },
    });
  });

  it("answers 'which … has the highest …' with the ranking", () => {
    expect(aggregate(parseRequest("which region has the highest revenue?", sales)).rank).toEqual({
      n: 10,
      order: "largest",
      which: true,
    });
  });
});

describe("filters", () => {
  it("matches a value without regard to case and keeps its real spelling", () => {
    const plan = aggregate(parseRequest("revenue by month where region is west", sales));
    expect(plan.filters).toEqual([{ column: "Region", op: "eq", values: ["West"], exact: true }]);
  });

  it("keeps an unknown value as typed, to compare without case", () => {
    const plan = aggregate(parseRequest("revenue by month where region is Westt", sales));
    expect(plan.filters).toEqual([{ column: "Region", op: "eq", values: ["Westt"], exact: false }]);
  });

  it("reads several conditions, comparisons and lists", () => {
    const plan = aggregate(
      parseRequest(
        "units by region where unit price >= 10 and product category is furniture or technology",
        sales,
      ),
    );
    expect(plan.filters).toEqual([
      { column: "Unit Price (USD)", op: "ge", number: 10 },
      { column: "Product Category", op: "eq", values: ["Furniture", "Technology"], exact: true },
    ]);
  });

  it.each([
    ["revenue by region after 2021", [{ column: "Order Date", op: "gt", year: 2021 }]],
    ["revenue by region since 2022", [{ column: "Order Date", op: "ge", year: 2022 }]],
    ["revenue by region in 2022", [{ column: "Order Date", op: "eq", year: 2022 }]],
    ["revenue by region in March 2022", [{ column: "Order Date", op: "eq", year: 2022, month: 3 }]],
    ["revenue by region before 2022-06-01", [{ column: "Order Date", op: "lt", date: "2022-06-01" }]],
    [
      "revenue by region between 2021 and 2022",
      [
        { column: "Order Date", op: "ge", year: 2021 },
        { column: "Order Date", op: "le", year: 2022 },
      ],
    ],
  ])("%s", (question, filters) => {
    expect(aggregate(parseRequest(question, sales)).filters).toEqual(filters);
  });

  it("reads a month and year typed with capitals", () => {
    expect(aggregate(parseRequest("units by region where order date is March 2022", sales)).filters).toEqual([
      { column: "Order Date", op: "eq", year: 2022, month: 3 },
    ]);
  });

  it("reads values named after a preposition, or excluded", () => {
    expect(aggregate(parseRequest("monthly revenue for the West region", sales)).filters).toEqual([
      { column: "Region", op: "eq", values: ["West"], exact: true },
    ]);
    expect(aggregate(parseRequest("average wind by weather excluding sun", weather)).filters).toEqual([
      { column: "weather", op: "ne", values: ["sun"], exact: true },
    ]);
  });

  it("reads the adjective of a value: 'rainy days', 'sunny'", () => {
    expect(aggregate(parseRequest("rainy days per month", weather))).toMatchObject({
      aggregation: "count",
      dimension: { type: "date", grain: "month" },
      filters: [{ column: "weather", op: "eq", values: ["rain"], exact: true }],
    });
  });

  it("compares the values picked with one series each", () => {
    const plan = aggregate(parseRequest("revenue by month for West and East", sales));
    expect(plan.filters).toEqual([{ column: "Region", op: "eq", values: ["West", "East"], exact: true }]);
    expect(plan.series).toBe("Region");
  });

  it("declines a filter it could not read, naming the part, and suggests the question without it", () => {
    expect(parseRequest("revenue by region where country is France", sales)).toMatchObject({
      kind: "decline",
      problems: ['no column matches "country"'],
      suggestions: ["revenue by region"],
    });
    expect(parseRequest("revenue by region where units is many", sales)).toMatchObject({ kind: "decline" });
  });
});

describe("distributions and relations", () => {
  it("reads histograms, also per group", () => {
    expect(parseRequest("histogram of revenue", sales)).toMatchObject({
      kind: "histogram",
      column: "Revenue ($)",
    });
    expect(parseRequest("distribution of body mass for each species", penguins)).toMatchObject({
      kind: "histogram",
      column: "Body Mass (g)",
      group: "Species",
    });
  });

  it("reads 'Y vs X' with X on the x-axis, and colours by a group", () => {
    expect(parseRequest("scatter of mpg vs weight colored by origin", cars)).toEqual({
      kind: "scatter",
      x: "Weight_in_lbs",
      y: "Miles_per_Gallon",
      group: "Origin",
      filters: [],
    });
  });

  it("reads a correlation of two columns, or of all number columns", () => {
    expect(parseRequest("correlation between temp max and temp min", weather)).toMatchObject({
      kind: "correlation",
      columns: ["temp_max", "temp_min"],
    });
    expect(parseRequest("correlation matrix", weather)).toMatchObject({
      kind: "correlation",
      columns: ["precipitation", "temp_max", "temp_min", "wind"],
    });
  });
});

describe("what is not an analysis", () => {
  it.each(["", "take a look", "Here's the file", "can you summarize this?", "overview"])(
    "%p asks for an overview",
    (question) => {
      expect(isGenericRequest(question)).toBe(true);
    },
  );

  it("does not mistake a question for a greeting", () => {
    expect(isGenericRequest("bar chart of revenue by region")).toBe(false);
    expect(isGenericRequest("here is the data, chart revenue by month")).toBe(false);
  });

  it("names the words it could not match, and suggests questions with columns that exist", () => {
    const plan = parseRequest("sum of sales by country", sales);
    expect(plan).toMatchObject({
      kind: "decline",
      problems: [
        'no column is called "sales"',
        'no column is called "country"',
        "there is no number to take the sum of",
      ],
    });
    expect(plan.kind === "decline" && plan.suggestions[0]).toBe("sum of Revenue ($) by Region");
    expect(parseRequest("what is the churn rate", sales)).toMatchObject({ kind: "decline" });
    expect(parseRequest("help", sales)).toEqual({ kind: "help" });
  });

  it("leaves tasks that need a model to a model", () => {
    expect(parseRequest("forecast revenue for next year", sales)).toMatchObject({
      kind: "decline",
      beyond: true,
    });
    expect(parseRequest("why did revenue drop in the west", sales)).toMatchObject({
      kind: "decline",
      beyond: true,
    });
    expect(parseRequest("tell me a story about the regions", sales)).toMatchObject({ kind: "decline" });
  });

  it("lets words that change nothing pass, and declines words that would", () => {
    expect(parseRequest("please show a nice bar chart of revenue by region", sales)).toMatchObject({
      kind: "aggregate",
      measures: ["Revenue ($)"],
    });
    expect(parseRequest("cumulative revenue by region", sales)).toMatchObject({
      kind: "decline",
      problems: ['I don\'t know what "cumulative" means here'],
    });
  });

  it.each([sales, weather, cars, penguins])("suggests only questions it can answer about %#", (table) => {
    for (const question of exampleQuestions(table)) {
      expect([question, parseRequest(question, table).kind]).not.toEqual([question, "help"]);
    }
  });
});
