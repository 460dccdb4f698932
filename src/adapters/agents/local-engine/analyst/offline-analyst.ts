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
import { refinePlan } from "./parse/follow-up";
import { isGenericRequest, parseRequest } from "./parse/parse-request";
import type { AnalysisPlan, Plan } from "./plan";
import { analysisCell, isTabularFile, loadCell } from "./python";

/** Sessions remembered; an older one simply loads its table again. */
const REMEMBERED_SESSIONS = 500;

/** What the analyst knows about one session. */
interface SessionMemory {
  /** Tables shared, oldest first. */
  uploads: string[];
  /** The table now loaded as `df`. */
  inFrame?: string;
  /** Profiles of tables loaded in this session. */
  schemas: Map<string, DataSchema>;
  /** The last analysis answered, for follow-ups like "as a pie chart". */
  last?: { file: string; plan: AnalysisPlan };
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

/** The question without the file's name, whose words are not about columns. */
function withoutFileName(question: string, file: string): string {
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return question.replace(new RegExp(`(?:\\b(?:in|from|of|on)\\s+)?${escaped}`, "gi"), (m) =>
    " ".repeat(m.length),
  );
}

function failed(result: CellResult): boolean {
  return Boolean(result.error || result.limit);
}

/** The variable `df` is gone: the interpreter restarted behind our back. */
function lostFrame(result: CellResult): boolean {
  return result.error?.name === "NameError" && /'df'|"df"/.test(result.error.message);
}

/** One turn's work: the cells it ran and how it runs more. */
class Turn {
  readonly cells: RanCell[] = [];

  constructor(
    private readonly input: AnalystInput,
    private readonly memory: SessionMemory,
  ) {}

  async run(code: string): Promise<CellResult> {
    this.input.onProgress({ kind: "running_code", code });
    const result = await this.input.session.run(code, this.input.signal);
    this.cells.push({ code, result });
    return result;
  }

  /** Loads `file` into `df` (unless it is there already) and returns its profile, or the text of a failure. */
  async load(file: string, force = false): Promise<DataSchema | string> {
    const known = this.memory.schemas.get(file);
    if (known && this.memory.inFrame === file && !force) return known;
    this.memory.inFrame = undefined;
    const result = await this.run(loadCell(file));
    if (failed(result)) return loadErrorText(file, result);
    const schema = parseProfile(parseCellOutput(result.stdout).json);
    this.memory.schemas.set(file, schema);
    this.memory.inFrame = file;
    return schema;
  }

  /** Runs an analysis, reloading the table once if the interpreter lost it. */
  async analyse(plan: AnalysisPlan, schema: DataSchema, file: string): Promise<string> {
    const code = analysisCell(plan, schema);
    let result = await this.run(code);
    if (lostFrame(result)) {
      const reloaded = await this.load(file, true);
      if (typeof reloaded === "string") return reloaded;
      result = await this.run(code);
    }
    if (failed(result)) return analysisErrorText(plan, schema, result);
    return analysisAnswer(plan, parseCellOutput(result.stdout));
  }

  /** The overview of a table with its first chart. */
  async overview(schema: DataSchema, alsoNew: string[]): Promise<string> {
    const chart = firstChartPlan(schema);
    let chartTitle: string | undefined;
    if (chart && !failed(await this.run(analysisCell(chart, schema)))) chartTitle = titleOf(chart);
    return overviewText(schema, chartTitle, alsoNew);
  }
}

export class OfflineAnalyst implements Analyst {
  readonly name = "offline";
  private readonly sessions = new Map<string, SessionMemory>();

  async answer(input: AnalystInput): Promise<AnalystOutput> {
    const memory = this.memoryOf(input);
    const turn = new Turn(input, memory);
    const choice = chooseFile(input, memory.uploads, memory.inFrame);
    if (!choice.file) {
      const refused = choice.notTables.length
        ? `Without a language model I can only read tables (CSV, XLSX, JSON, TXT), not ${choice.notTables.join(", ")}.`
        : undefined;
      return { text: guideText(undefined, refused), cells: turn.cells };
    }
    const file = choice.file;
    const isNew = input.newFiles.includes(file);
    let schema = await turn.load(file);
    if (typeof schema === "string") return { text: schema, cells: turn.cells };

    // "as a pie chart", "now by week": the last analysis, changed.
    const last = memory.last;
    const question = withoutFileName(input.question, file);
    const refined = !isNew && last?.file === file ? refinePlan(question, last.plan, schema) : undefined;
    let plan: Plan =
      refined ??
      (isNew && isGenericRequest(question) ? { kind: "overview" } : parseRequest(question, schema));
    let used = file;
    // A question about columns this table lacks may be about another table of the conversation.
    if (plan.kind === "help" && plan.reason && !isNew) {
      for (const other of choice.others) {
        const otherSchema = await turn.load(other);
        if (typeof otherSchema === "string") continue;
        const otherPlan = parseRequest(withoutFileName(input.question, other), otherSchema);
        if (otherPlan.kind !== "help") {
          [plan, schema, used] = [otherPlan, otherSchema, other];
          break;
        }
      }
    }

    if (plan.kind === "help" && !isNew) return { text: guideText(schema, plan.reason), cells: turn.cells };
    if (plan.kind === "overview")
      return { text: await turn.overview(schema, choice.alsoNew), cells: turn.cells };
    if (plan.kind === "help") {
      // A new table with a question the analyst cannot read: show the table, and say why.
      const overview = await turn.overview(schema, choice.alsoNew);
      const reason = plan.reason ?? "I couldn't turn that question into an analysis.";
      return {
        text: `${reason} Here is an overview of **${file}** instead.\n\n${overview}\n\n${CONNECT_A_MODEL}`,
        cells: turn.cells,
      };
    }
    const loaded = await turn.load(used);
    if (typeof loaded === "string") return { text: loaded, cells: turn.cells };
    memory.last = { file: used, plan };
    return { text: await turn.analyse(plan, loaded, used), cells: turn.cells };
  }

  /** The session's memory, updated with this message's files and a restart. */
  private memoryOf(input: AnalystInput): SessionMemory {
    const id = input.session.id;
    const memory = this.sessions.get(id) ?? { uploads: [], schemas: new Map<string, DataSchema>() };
    this.sessions.delete(id);
    this.sessions.set(id, memory);
    if (this.sessions.size > REMEMBERED_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    if (input.sessionRestarted) {
      memory.inFrame = undefined;
      memory.last = undefined;
      memory.schemas.clear();
    }
    for (const name of input.newFiles.filter(isTabularFile)) {
      memory.uploads = [...memory.uploads.filter((n) => n !== name), name];
      memory.schemas.delete(name);
      if (memory.inFrame === name) memory.inFrame = undefined;
    }
    return memory;
  }
}

/** The analyst databot uses when no language model is configured. */
export function createOfflineAnalyst(): Analyst {
  return new OfflineAnalyst();
}
