/**
 * The offline analyst's evaluation (npm run eval:analyst) as a test, over its whole question set: no answer
 * may state a number pandas disagrees with, every question it is not meant to answer is declined, and at
 * least 85 % of the others are answered right. The checker is tested too: it must catch a wrong answer.
 */
import { checkAnswer, type Expectation } from "./eval/check";
import { formatReport, runAnalystEval } from "./eval/run-eval";
import { CHAINS } from "./eval/questions";

describe("the check catches wrong answers", () => {
  const byWeather: Expectation = {
    kind: "table",
    rows: { rain: 641, sun: 640, fog: 101, drizzle: 53, snow: 26 },
    agg: "count",
    parts: { rain: [641, 641], sun: [640, 640], fog: [101, 101], drizzle: [53, 53], snow: [26, 26] },
  };
  const table = (rows: [string, string][]) =>
    [
      "**Number of rows by weather**",
      "",
      "| weather | Number of rows |",
      "| --- | --- |",
      ...rows.map(([a, b]) => `| ${a} | ${b} |`),
    ].join("\n");
  const right: [string, string][] = [
    ["rain", "641"],
    ["sun", "640"],
    ["fog", "101"],
    ["drizzle", "53"],
    ["snow", "26"],
  ];

  it("passes the right numbers, and an honest 'I can't'", () => {
    expect(checkAnswer(table(right), byWeather).verdict).toBe("correct");
    expect(checkAnswer(table([...right.slice(0, 3), ["Other", "79"]]), byWeather).verdict).toBe("correct");
    expect(
      checkAnswer("I can't answer that reliably, so I haven't computed anything.", byWeather).verdict,
    ).toBe("declined");
  });

  it.each([
    ["one number off", table([["rain", "642"], ...right.slice(1)])],
    ["a group left out without a word", table(right.slice(0, 4))],
    ["a group that is not in the data", table([...right, ["hail", "3"]])],
    ["a wrong Other", table([...right.slice(0, 3), ["Other", "80"]])],
    ["no table at all", "**Number of rows by weather**: **1,461**"],
  ])("fails %s", (_, text) => {
    expect(checkAnswer(text, byWeather).verdict).toBe("wrong");
  });

  it("fails a ranking that misses a higher group, and an answer to a question it should decline", () => {
    const top2: Expectation = { ...byWeather, top: 2, order: "desc" } as Expectation;
    expect(
      checkAnswer(table([right[0] as [string, string], right[2] as [string, string]]), top2).verdict,
    ).toBe("wrong");
    expect(checkAnswer(table(right), { kind: "decline" }).verdict).toBe("wrong");
  });
});

test("no question of the evaluation is answered wrongly", async () => {
  const turns = CHAINS.reduce((n, c) => n + c.turns.length + (c.share ? 1 : 0), 0);
  expect(turns).toBeGreaterThanOrEqual(80);
  const report = await runAnalystEval();
  expect(report.results).toHaveLength(turns);
  const wrong = report.results
    .filter((r) => r.verdict === "wrong")
    .map((r) => `${r.id} (${r.ask}): ${r.reason}`);
  expect({ wrong, report: wrong.length ? formatReport(report) : "" }).toEqual({ wrong: [], report: "" });
  const unanswerable = report.results.filter((r) => r.class === "unanswerable");
  expect(unanswerable.filter((r) => r.verdict !== "declined").map((r) => r.id)).toEqual([]);
  const answerable = report.results.filter((r) => r.class !== "unanswerable");
  const correct = answerable.filter((r) => r.verdict === "correct").length;
  expect(correct / answerable.length).toBeGreaterThanOrEqual(0.85);
}, 900_000);
