/**
 * npm run eval:analyst — asks the offline analyst every question of the evaluation and prints correct /
 * declined / wrong per class. `--verbose` prints each answer that was not correct; exits 1 when any is wrong.
 */
import { formatReport, runAnalystEval } from "./run-eval";

const verbose = process.argv.includes("--verbose");

async function main(): Promise<void> {
  const report = await runAnalystEval((r) => {
    const mark = r.verdict === "correct" ? "ok  " : r.verdict === "declined" ? "decl" : "WRONG";
    console.log(
      `${mark}  ${r.id.padEnd(36)} ${r.ms.toFixed(0).padStart(5)} ms  ${r.ask}${r.reason ? `  — ${r.reason}` : ""}`,
    );
    if (verbose && r.verdict !== "correct")
      console.log(`${r.answer.slice(0, 1500).replace(/^/gm, "      ")}\n`);
  });
  console.log(`\n${formatReport(report)}`);
  if (report.results.some((r) => r.verdict === "wrong")) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
