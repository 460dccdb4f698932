/**
 * The offline analyst: answers common data questions without a language model by turning them into pandas and
 * matplotlib code, run through the session like any other code (so it shows under "Show code").
 *
 * A turn: pick the table (a file, or a sheet of a workbook) → load it into `df` (once per session and table)
 * → parse the question against its columns, as a follow-up of the last analysis when it only changes it →
 * run the analysis cell → write the answer from what the cell printed. A question it cannot read fully is
 * declined, never answered as something else.
 */
import type { Analyst, AnalystInput, AnalystOutput, CellResult, RanCell } from "../types";
import { chooseFile } from "./choose-file";
import { type DataSchema, parseProfile } from "./data-schema";
import { firstChartPlan } from "./first-chart";
import { analysisAnswer } from "./format/answers";
import { parseCellOutput } from "./format/cell-output";
import { declineText } from "./format/decline";
import { analysisErrorText, loadErrorText } from "./format/errors";
import { CONNECT_A_MODEL, guideText } from "./format/guide";
import { overviewText, streamedNotice } from "./format/overview";
import { aggregateTitle } from "./labels";
import { intentOf, isGenericRequest } from "./parse/intents";
import { parseRequest } from "./parse/parse-request";
import type { AnalysisPlan, DeclinePlan, Plan, RereadPlan } from "./plan";
import { analysisCell, isTabularFile, loadCell, type ReadOptions } from "./python";
import { streamable } from "./python/stream-code";

/** Sessions remembered; an older one simply loads its table again. */
const REMEMBERED_SESSIONS = 500;

/** A table: a file, or one sheet of a workbook. */
interface Table {
  file: string;
  sheet?: string;
}

function keyOf(table: Table): string {
  return table.sheet === undefined ? table.file : `${table.file}\u0000${table.sheet}`;
}

/** What the analyst knows about one session. */
interface SessionMemory {
  /** Tables shared, oldest first. */
  uploads: string[];
  /** The table now loaded as `df`. */
  inFrame?: string;
  /** Profiles of tables loaded in this session. */
  schemas: Map<string, DataSchema>;
  /** How the person asked a file to be read ("dates are day-first"). */
  readOptions: Map<string, ReadOptions>;
  /** The last analysis answered, for follow-ups like "as a pie chart" and for "show the code". */
  last?: { table: string; plan: AnalysisPlan };
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

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The question without the file's name, whose words are not about columns. */
function withoutFileName(question: string, file: string): string {
  return question.replace(new RegExp(`(?:\\b(?:in|from|of|on)\\s+)?${escapeRegExp(file)}`, "gi"), (m) =>
    " ".repeat(m.length),
  );
}

/** A sheet the question names ("in the Targets sheet", "sheet 2"), and the question without those words. */
function namedSheet(question: string, sheets: string[] | undefined): { sheet?: string; question: string } {
  if (!sheets || sheets.length < 2) return { question };
  for (const [i, sheet] of sheets.entries()) {
    const name = escapeRegExp(sheet);
    const pattern = new RegExp(
      `(?:\\b(?:in|from|on|of|use)\\s+)?(?:the\\s+)?(?:(?:sheet|tab)\\s+(?:"|')?(?:${name}|${i + 1})(?:"|')?|(?:"|')?${name}(?:"|')?\\s+(?:sheet|tab))\\b`,
      "i",
    );
    const m = pattern.exec(question);
    if (m)
      return {
        sheet,
        question:
          question.slice(0, m.index) + " ".repeat(m[0].length) + question.slice(m.index + m[0].length),
      };
  }
  return { question };
}

function failed(result: CellResult): boolean {
  return Boolean(result.error || result.limit);
}

/** The interpreter lost `df` or the reader: it restarted behind our back. */
function lostFrame(result: CellResult): boolean {
  return (
    result.error?.name === "NameError" &&
    /'(?:df|source|read_table|nice_edges|ensure_columns)'/.test(result.error.message)
  );
}

function isAnalysis(plan: Plan): plan is AnalysisPlan {
  return (
    plan.kind === "aggregate" ||
    plan.kind === "histogram" ||
    plan.kind === "scatter" ||
    plan.kind === "correlation"
  );
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

  /** Loads a table into `df` (unless it is there already) and returns its profile, or the text of a failure. */
  async load(table: Table, force = false): Promise<DataSchema | string> {
    const key = keyOf(table);
    const known = this.memory.schemas.get(key);
    if (known && this.memory.inFrame === key && !force) return known;
    this.memory.inFrame = undefined;
    const options = {
      ...this.memory.readOptions.get(table.file),
      ...(table.sheet ? { sheet: table.sheet } : {}),
    };
    const result = await this.run(loadCell(table.file, options));
    if (failed(result)) return loadErrorText(table.file, result);
    const schema = parseProfile(parseCellOutput(result.stdout).json);
    this.memory.schemas.set(key, schema);
    if (table.sheet === undefined && schema.sheet !== undefined)
      this.memory.schemas.set(keyOf({ ...table, sheet: schema.sheet }), schema);
    this.memory.inFrame = key;
    return schema;
  }

  /** Runs an analysis, reloading the table once if the interpreter lost it. */
  async analyse(plan: AnalysisPlan, schema: DataSchema, table: Table): Promise<string> {
    const code = analysisCell(plan, schema);
    let result = await this.run(code);
    if (lostFrame(result)) {
      const reloaded = await this.load(table, true);
      if (typeof reloaded === "string") return reloaded;
      result = await this.run(code);
    }
    if (failed(result)) return analysisErrorText(plan, schema, result);
    return analysisAnswer(plan, parseCellOutput(result.stdout), schema);
  }

  /** The overview of a table with its first chart. */
  async overview(schema: DataSchema, alsoNew: string[]): Promise<string> {
    const chart = schema.reading.streamed ? undefined : firstChartPlan(schema);
    let chartTitle: string | undefined;
    if (chart && !failed(await this.run(analysisCell(chart, schema)))) chartTitle = titleOf(chart);
    return overviewText(schema, chartTitle, alsoNew);
  }
}

class OfflineAnalyst implements Analyst {
  readonly name = "offline";
  private readonly sessions = new Map<string, SessionMemory>();

  async answer(input: AnalystInput): Promise<AnalystOutput> {
    const memory = this.memoryOf(input);
    const turn = new Turn(input, memory);
    const done = (text: string): AnalystOutput => ({ text, cells: turn.cells });
    const choice = chooseFile(input, memory.uploads, memory.inFrame?.split("\u0000")[0]);
    if (!choice.file) {
      const intent = intentOf(input.question);
      if (intent?.kind === "code")
        return done(
          "There is no answer yet whose code I could show: share a table and ask a question first.",
        );
      const refused = choice.notTables.length
        ? `Without a language model I can only read tables (CSV, XLSX, JSON, TXT), not ${choice.notTables.join(", ")}.`
        : undefined;
      return done(guideText(undefined, refused));
    }
    const file = choice.file;
    const isNew = input.newFiles.includes(file);
    const current =
      memory.inFrame && memory.inFrame.split("\u0000")[0] === file
        ? memory.inFrame.split("\u0000")[1]
        : undefined;
    let table: Table = { file, sheet: current };
    let schema = await turn.load(table);
    if (typeof schema === "string") return done(schema);
    const named = namedSheet(withoutFileName(input.question, file), schema.sheets);
    if (named.sheet !== undefined && named.sheet !== schema.sheet) {
      table = { file, sheet: named.sheet };
      schema = await turn.load(table);
      if (typeof schema === "string") return done(schema);
    }
    const question = named.question;
    if (isNew) memory.last = undefined;
    else if (!memory.last) memory.last = this.replay(input, keyOf(table), schema);
    const previous = memory.last && memory.last.table === keyOf(table) ? memory.last.plan : undefined;
    let plan: Plan =
      isNew && isGenericRequest(question) ? { kind: "overview" } : parseRequest(question, schema, previous);

    // A question about columns this table lacks may be about another sheet or table of the conversation.
    if (plan.kind === "decline" && !plan.beyond && !isNew) {
      const here = schema;
      const others: Table[] = [
        ...(here.sheets ?? []).filter((s) => s !== here.sheet).map((sheet) => ({ file, sheet })),
        ...choice.others.map((other) => ({ file: other })),
      ];
      for (const other of others) {
        const otherSchema = await turn.load(other);
        if (typeof otherSchema === "string") continue;
        const otherPlan = parseRequest(withoutFileName(input.question, other.file), otherSchema);
        if (isAnalysis(otherPlan)) {
          [plan, schema, table] = [otherPlan, otherSchema, other];
          break;
        }
      }
    }

    switch (plan.kind) {
      case "overview":
        return done(await turn.overview(schema, choice.alsoNew));
      case "help":
        return done(guideText(schema, plan.reason));
      case "code":
        return done(this.codeText(memory, schema));
      case "reread":
        return done(await this.reread(turn, memory, table, plan, choice.alsoNew));
      case "decline": {
        const declined = declineText(plan, schema);
        if (!isNew) return done(declined);
        // A new table with a question the analyst cannot read: say so, and show the table.
        return done(
          `${declined}\n\nHere is an overview of **${file}**:\n\n${await turn.overview(schema, choice.alsoNew)}\n\n${CONNECT_A_MODEL}`,
        );
      }
    }
    const loaded = await turn.load(table);
    if (typeof loaded === "string") return done(loaded);
    if (loaded.reading.streamed && !streamable(plan)) return done(this.tooBig(loaded, plan));
    memory.last = { table: keyOf(table), plan };
    return done(await turn.analyse(plan, loaded, table));
  }

  /** The code behind the last answer, as the analysis cell that ran it. */
  private codeText(memory: SessionMemory, schema: DataSchema): string {
    const last = memory.last;
    const lastSchema = last ? memory.schemas.get(last.table) : undefined;
    if (!last || !lastSchema)
      return `I can't show code yet: there is no answer about **${schema.file}** in this conversation.`;
    return [
      `The code behind the last answer (${titleOf(last.plan)}). It works on \`df\`, the table read from **${lastSchema.file}**:`,
      "",
      "```python",
      analysisCell(last.plan, lastSchema),
      "```",
    ].join("\n");
  }

  /** "dates are day-first": read the file again that way and show the overview. */
  private async reread(
    turn: Turn,
    memory: SessionMemory,
    table: Table,
    plan: RereadPlan,
    alsoNew: string[],
  ): Promise<string> {
    const options: ReadOptions = { ...memory.readOptions.get(table.file) };
    if (plan.dayfirst !== undefined) options.dayfirst = plan.dayfirst;
    if (plan.decimal !== undefined) options.decimal = plan.decimal;
    memory.readOptions.set(table.file, options);
    const schema = await turn.load(table, true);
    if (typeof schema === "string") return schema;
    const how = [
      plan.dayfirst === undefined ? undefined : `dates ${plan.dayfirst ? "day-first" : "month-first"}`,
      plan.decimal === undefined
        ? undefined
        : `the ${plan.decimal === "," ? "comma" : "point"} as the decimal mark`,
    ].filter(Boolean);
    return `I read **${table.file}** again with ${how.join(" and ")}, as you said.\n\n${await turn.overview(schema, alsoNew)}`;
  }

  private tooBig(schema: DataSchema, plan: AnalysisPlan): string {
    const decline: DeclinePlan = {
      kind: "decline",
      understood: titleOf(plan).charAt(0).toLowerCase() + titleOf(plan).slice(1),
      problems: [
        "this table is too big to hold in memory, and that analysis cannot be computed chunk by chunk",
      ],
      suggestions: [],
    };
    return `${declineText(decline, schema)}\n\n${streamedNotice(schema)}`;
  }

  /** The last analysis of an earlier conversation (before a restart), read again from its questions. */
  private replay(input: AnalystInput, table: string, schema: DataSchema): SessionMemory["last"] {
    let plan: AnalysisPlan | undefined;
    for (const entry of input.history) {
      if (entry.role !== "user") continue;
      // In a shared thread a question may be recorded with its author in front: "Ana: total sales by region".
      const texts = [entry.text, entry.text.replace(/^[^:\n]{1,60}:\s+/, "")];
      for (const text of texts) {
        const next = parseRequest(withoutFileName(text, schema.file), schema, plan, false);
        if (isAnalysis(next)) {
          plan = next;
          break;
        }
      }
    }
    return plan ? { table, plan } : undefined;
  }

  /** The session's memory, updated with this message's files and a restart. */
  private memoryOf(input: AnalystInput): SessionMemory {
    const id = input.session.id;
    const memory: SessionMemory = this.sessions.get(id) ?? {
      uploads: [],
      schemas: new Map<string, DataSchema>(),
      readOptions: new Map<string, ReadOptions>(),
    };
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
      for (const key of [...memory.schemas.keys()])
        if (key.split("\u0000")[0] === name) memory.schemas.delete(key);
      memory.readOptions.delete(name);
      if (memory.inFrame?.split("\u0000")[0] === name) memory.inFrame = undefined;
    }
    return memory;
  }
}

/** The analyst databot uses when no language model is configured. */
export function createOfflineAnalyst(): Analyst {
  return new OfflineAnalyst();
}
