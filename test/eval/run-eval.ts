/**
 * Runs the offline analyst's evaluation: writes the messy files, computes the expected answers with plain
 * pandas (expected.py), asks every chain of questions.ts in a Python session per file (a fresh conversation per
 * chain, the file shared with its first question), and checks each answer.
 */
import { execFileSync } from "node:child_process";
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UPLOAD_ONLY_PROMPT } from "../../src/core/conversation/commands";
import { Conversation, VEGA_DATA, type Turn } from "../support/analyst-conversation";
import { PlainPythonSession } from "../support/plain-python-session";
import { checkAnswer, type Expectation, type Verdict } from "./check";
import { CHAINS, type EvalChain, type EvalClass } from "./questions";

const PYTHON = "/usr/bin/python3";

export interface EvalResult {
  id: string;
  class: EvalClass;
  ask: string;
  verdict: Verdict;
  reason: string;
  ms: number;
  answer: string;
}

export interface EvalReport {
  results: EvalResult[];
  seconds: number;
}

function where(file: string, made: string): string {
  return /^(umsatz|ventes|us-orders|ambiguous-dates|workbook)\./.test(file)
    ? join(made, file)
    : join(VEGA_DATA, file);
}

async function runChain(
  session: PlainPythonSession,
  chain: EvalChain,
  expected: Record<string, Expectation>,
  record: (result: EvalResult) => void,
): Promise<void> {
  const chat = Conversation.over(session);
  const steps = [
    ...(chain.share
      ? [{ id: chain.share, ask: UPLOAD_ONLY_PROMPT, class: "reading" as const, shown: "(file only)" }]
      : []),
    ...chain.turns.map((t) => ({ ...t, shown: t.ask })),
  ];
  for (const [i, step] of steps.entries()) {
    const want = expected[step.id];
    if (!want) throw new Error(`expected.py has no answer for ${step.id}`);
    const started = performance.now();
    let turn: Turn | undefined;
    let crash: string | undefined;
    try {
      turn = i === 0 ? await chat.askAbout(chain.file, step.ask) : await chat.ask(step.ask);
    } catch (error) {
      crash = (error as Error).message;
    }
    const ms = performance.now() - started;
    const check = turn
      ? checkAnswer(turn.text, want, turn.figures)
      : { verdict: "wrong" as const, reason: `failed: ${crash}` };
    record({ id: step.id, class: step.class, ask: step.shown, ...check, ms, answer: turn?.text ?? "" });
    // A conversation that lost its thread would make the rest of the chain meaningless; it still runs.
  }
}

/** Runs every question; `onResult` sees each result as it comes. */
export async function runAnalystEval(
  onResult: (result: EvalResult) => void = () => undefined,
): Promise<EvalReport> {
  const started = performance.now();
  const made = await mkdtemp(join(tmpdir(), "databot-eval-"));
  const results: EvalResult[] = [];
  try {
    execFileSync(PYTHON, [join(__dirname, "make_files.py"), made], { encoding: "utf8" });
    const expected = JSON.parse(
      execFileSync(PYTHON, [join(__dirname, "expected.py"), VEGA_DATA, made], {
        encoding: "utf8",
        maxBuffer: 64 << 20,
      }),
    ) as Record<string, Expectation>;
    const files = [...new Set(CHAINS.map((c) => c.file))];
    for (const file of files) {
      const session = await PlainPythonSession.start();
      try {
        await copyFile(where(file, made), join(session.dir, file));
        for (const chain of CHAINS.filter((c) => c.file === file)) {
          await runChain(session, chain, expected, (result) => {
            results.push(result);
            onResult(result);
          });
        }
      } finally {
        await session.close();
      }
    }
  } finally {
    await rm(made, { recursive: true, force: true });
  }
  return { results, seconds: (performance.now() - started) / 1000 };
}

export interface ClassSummary {
  class: EvalClass | "all";
  questions: number;
  correct: number;
  declined: number;
  wrong: number;
}

function summarize(report: EvalReport): ClassSummary[] {
  const classes = [...new Set(report.results.map((r) => r.class))];
  const count = (rs: EvalResult[], label: EvalClass | "all"): ClassSummary => ({
    class: label,
    questions: rs.length,
    correct: rs.filter((r) => r.verdict === "correct").length,
    declined: rs.filter((r) => r.verdict === "declined").length,
    wrong: rs.filter((r) => r.verdict === "wrong").length,
  });
  return [
    ...classes.map((c) =>
      count(
        report.results.filter((r) => r.class === c),
        c,
      ),
    ),
    count(report.results, "all"),
  ];
}

/** The table and the two rates the targets are about. */
export function formatReport(report: EvalReport): string {
  const rows = summarize(report);
  const lines = ["| class | questions | correct | declined | wrong |", "| --- | --- | --- | --- | --- |"];
  for (const r of rows)
    lines.push(`| ${r.class} | ${r.questions} | ${r.correct} | ${r.declined} | ${r.wrong} |`);
  const answerable = report.results.filter((r) => r.class !== "unanswerable");
  const unanswerable = report.results.filter((r) => r.class === "unanswerable");
  const share = (n: number, of: number) => `${of ? ((100 * n) / of).toFixed(1) : "0"} %`;
  const correct = answerable.filter((r) => r.verdict === "correct").length;
  const declined = unanswerable.filter((r) => r.verdict === "declined").length;
  lines.push(
    "",
    `answerable questions correct: ${correct} of ${answerable.length} (${share(correct, answerable.length)}; target >= 85 %)`,
    `questions not meant to be answered, declined: ${declined} of ${unanswerable.length} (target: all)`,
    `wrong: ${report.results.filter((r) => r.verdict === "wrong").length} (target 0); ${report.seconds.toFixed(1)} s`,
  );
  return lines.join("\n");
}
