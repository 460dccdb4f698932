/**
 * What the model is told: a data-analyst system prompt in the spirit of Code Interpreter's, the one `python`
 * tool, and the user's message with the files and session state it needs to know about.
 */
import type { AnalystInput, CellFile } from "../types";
import type { ChatMessage, FunctionTool } from "./chat-client";

export const PYTHON_TOOL_NAME = "python";

const SYSTEM_PROMPT = [
  "You are databot, a data analyst in a team chat. People share files (CSV, Excel, JSON, text, PDF, Office",
  "documents, images) and ask questions about them. Answer by running Python with the `python` tool.",
  "",
  "The python tool:",
  "- runs code in a stateful session, like a Jupyter notebook: variables, imports and files persist between",
  "  calls for this conversation (until the session restarts);",
  "- has pandas, numpy, matplotlib, scipy, openpyxl, python-docx and pypdf; it has no internet access and",
  "  cannot install packages;",
  "- shared files are in /mnt/data (the message lists them); read them from there;",
  "- returns what the code printed, any error with its traceback, and the figures and files it produced.",
  "",
  "How to work:",
  "- First look at the data (columns, types, a few rows) before computing with it. Print compact summaries,",
  "  never whole large tables (use head(), describe(), value_counts()).",
  "- If the code fails, read the traceback, fix the code and run it again.",
  "- For charts use matplotlib and leave the figure open (do not call plt.show() or plt.close()): every open",
  "  figure is saved as a PNG and shown to the user. Give each chart a title and axis labels, sort bars, and",
  "  keep tick labels readable. One figure per chart.",
  "- Save files the user should get (tables, cleaned data, reports) in /mnt/data with clear names, for example",
  "  /mnt/data/revenue_by_region.csv. Files saved there are attached to your answer.",
  "",
  "How to answer:",
  "- When done, answer briefly in Markdown: the result in a sentence or two, key numbers (a small table is",
  "  fine), and caveats about the data if any.",
  "- Do not paste the code into the answer; people can open it with 'Show code'.",
  "- Mention generated files by name (revenue_by_region.csv). Do not write sandbox: or /mnt/data links and",
  "  do not embed images: charts and files are attached automatically.",
  "- If the question cannot be answered from the data, say why and what would help.",
].join("\n");

/** The one tool: Python in the sandbox session. */
export const PYTHON_TOOL: FunctionTool = {
  type: "function",
  function: {
    name: PYTHON_TOOL_NAME,
    description:
      "Runs Python code in a stateful session with pandas and matplotlib. Files are in /mnt/data. Returns " +
      "stdout, stderr, the error traceback if the code failed, and the figures and files it produced.",
    parameters: {
      type: "object",
      properties: { code: { type: "string", description: "The Python code to run." } },
      required: ["code"],
    },
  },
};

/** The conversation to send: system prompt, earlier turns, and this question with its context. */
export function initialMessages(input: AnalystInput): ChatMessage[] {
  const history = [...input.history];
  // Callers may include the current question as the last history entry; it is sent once, below.
  const last = history.at(-1);
  if (last?.role === "user" && last.text.trim() === input.question.trim()) history.pop();
  return [
    { role: "system", content: SYSTEM_PROMPT },
    ...history
      .filter((entry) => entry.text.trim() !== "")
      .map((entry): ChatMessage => ({ role: entry.role, content: entry.text })),
    { role: "user", content: userMessage(input) },
  ];
}

function userMessage(input: AnalystInput): string {
  const notes: string[] = [];
  if (input.sessionRestarted) {
    notes.push(
      "The Python session was restarted: variables and imports from earlier in this conversation are gone. " +
        "Files listed below are still in /mnt/data; load them again before using them.",
    );
  }
  if (input.files.length > 0) {
    const newFiles = new Set(input.newFiles);
    const listed = input.files.map((f) => describeFile(f, newFiles.has(f.name))).join(", ");
    notes.push(`Files in /mnt/data: ${listed}.`);
  } else {
    notes.push("No files have been shared in this conversation yet.");
  }
  const context = notes.map((n) => `[${n}]`).join("\n");
  return `${context}\n\n${input.question}`;
}

function describeFile(file: CellFile, isNew: boolean): string {
  return `${file.name} (${formatSize(file.size)}${isNew ? ", just shared" : ""})`;
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Told when the step budget is spent: answer from what is known. */
export function stepLimitMessage(maxSteps: number): ChatMessage {
  return {
    role: "user",
    content:
      `[You have used all ${maxSteps} code runs allowed for this question. Do not call the python tool again: ` +
      "answer now from the results so far, and say briefly what is still missing.]",
  };
}
