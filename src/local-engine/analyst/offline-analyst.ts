/**
 * The offline analyst: answers common data questions without a language model by turning them into pandas and
 * matplotlib code, run through the session like any other code (so it shows under "Show code").
 *
 * A turn: pick the table → load it into `df` (once per session and file) → parse the question against its
 * columns → run the analysis cell → write the answer from what the cell printed.
 */
import type { Analyst, AnalystInput, AnalystOutput, CellResult, RanCell } from "../types";
import { chooseFile } from "./choose-file";
import { type DataSchema, parseProfile } from "./data-schema";
import { firstChartPlan } from "./first-chart";
import { analysisAnswer } from "./format/answers";
import { parseCellOutput } from "./format/cell-output";
import { analysisErrorText, loadErrorText } from "./format/errors";
import { CONNECT_A_MODEL, guideText } from "./format/guide";
import { overviewText } from "./format/overview";
import { aggregateTitle } from "./labels";
import { isGenericRequest, parseRequest } from "./parse/parse-request";
import type { AnalysisPlan } from "./plan";
import { analysisCell, loadCell } from "./python";

/** Sessions whose loaded table is remembered; older ones simply load again. */
const REMEMBERED_SESSIONS = 500;

interface Loaded {
  file: string;
  schema: DataSchema;
}

function titleOf(plan: AnalysisPlan): string {
  switch (plan.kind) {
    case "aggregate":
      return aggregateTitle(plan);
    case "histogram":
      return `distribution of ${plan.column}`;
    case "scatter":
      return `${plan.y} vs ${plan.x}`;
    case "correlation":
      return "correlation between number columns";
  }
}

/** The variable `df` is gone: the interpreter restarted behind our back. */
function lostFrame(result: CellResult): boolean {
  return result.error?.name === "NameError" && /'df'|"df"/.test(result.error.message);
}

export class OfflineAnalyst implements Analyst {
  readonly name = "offline";
  /** Per session: the table now in `df`, and its profile. */
  private readonly loaded = new Map<string, Loaded>();

  async answer(input: AnalystInput): Promise<AnalystOutput> {
    const cells: RanCell[] = [];
    const sessionId = input.session.id;
    const choice = chooseFile(input, this.loaded.get(sessionId)?.file);
    if (!choice.file) {
      const refused = choice.notTables.length
        ? `I can only read tables (CSV, XLSX, JSON, TXT) without a language model, not ${choice.notTables.join(", ")}.`
        : undefined;
      return { text: guideText(undefined, refused), cells };
    }
    const file = choice.file;
    const isNew = input.newFiles.includes(file);

    const run = async (code: string): Promise<CellResult> => {
      input.onProgress({ kind: "running_code", code });
      const result = await input.session.run(code, input.signal);
      cells.push({ code, result });
      return result;
    };
    const load = async (): Promise<DataSchema | string> => {
      const result = await run(loadCell(file));
      if (result.error || result.limit) return loadErrorText(file, result);
      const schema = parseProfile(parseCellOutput(result.stdout).json);
      this.remember(sessionId, { file, schema });
      return schema;
    };

    const cached = this.loaded.get(sessionId);
    const reuse = cached && cached.file === file && !isNew && !input.sessionRestarted;
    const schema = reuse ? cached.schema : await load();
    if (typeof schema === "string") return { text: schema, cells };

    const plan =
      isNew && isGenericRequest(input.question)
        ? { kind: "overview" as const }
        : parseRequest(input.question, schema);
    if (plan.kind === "help" && !isNew) return { text: guideText(schema, plan.reason), cells };
    if (plan.kind === "overview" || plan.kind === "help") {
      const chart = firstChartPlan(schema);
      let chartTitle: string | undefined;
      if (chart) {
        const result = await run(analysisCell(chart, schema));
        if (!result.error && !result.limit) chartTitle = titleOf(chart);
      }
      const overview = overviewText(schema, chartTitle, choice.alsoNew);
      if (plan.kind === "overview") return { text: overview, cells };
      // A new table with a question the analyst cannot read: show the table, and say why.
      const reason = plan.reason ?? "I couldn't turn that question into an analysis.";
      return {
        text: `${reason} Here is an overview of **${file}** instead.\n\n${overview}\n\n${CONNECT_A_MODEL}`,
        cells,
      };
    }

    const code = analysisCell(plan, schema);
    let result = await run(code);
    if (lostFrame(result)) {
      const reloaded = await load();
      if (typeof reloaded === "string") return { text: reloaded, cells };
      result = await run(code);
    }
    if (result.error || result.limit) return { text: analysisErrorText(plan, schema, result), cells };
    return { text: analysisAnswer(plan, parseCellOutput(result.stdout)), cells };
  }

  private remember(sessionId: string, loaded: Loaded): void {
    this.loaded.delete(sessionId);
    this.loaded.set(sessionId, loaded);
    if (this.loaded.size > REMEMBERED_SESSIONS) {
      const oldest = this.loaded.keys().next().value;
      if (oldest !== undefined) this.loaded.delete(oldest);
    }
  }
}

/** The analyst databot uses when no language model is configured. */
export function createOfflineAnalyst(): Analyst {
  return new OfflineAnalyst();
}
