/**
 * Words a person can say in a thread to steer databot instead of asking a question.
 */

export type ThreadCommand = "reset" | "retry" | "help" | "stop";

const COMMANDS: Record<string, ThreadCommand> = {
  reset: "reset",
  "start over": "reset",
  "new thread": "reset",
  retry: "retry",
  "try again": "retry",
  help: "help",
  stop: "stop",
  cancel: "stop",
};

/** The command a message is, if its whole text is one (case, a leading slash and end punctuation ignored). */
export function parseCommand(text: string): ThreadCommand | undefined {
  const normalized = text
    .trim()
    .toLowerCase()
    .replace(/^\//, "")
    .replace(/[.!?\s]+$/, "")
    .replace(/\s+/g, " ");
  return COMMANDS[normalized];
}

export const HELP_TEXT = [
  "**databot** answers data questions in this thread.",
  "",
  "- Share a CSV or Excel file (or JSON, text, PDF, Word, PowerPoint, images, zip) and ask, for example:",
  '  *"bar chart of revenue by region"*, *"monthly sales as a line chart"*, *"top 5 products by units"*.',
  "- Follow-up questions in the same thread keep the files and what was computed so far.",
  "- `stop` ends the question being worked on; `reset` starts a fresh analysis in this thread; `retry` tries a failed question again; `help` shows this.",
].join("\n");

export const RESET_TEXT =
  "Started over: the next question in this thread begins a fresh analysis. Share the files again if you need them.";

export const STOPPED_TEXT = "Stopped the question that was being worked on; its reply says so.";
export const NOTHING_TO_STOP_TEXT = "Nothing was being worked on in this thread.";
export const ALREADY_DONE_TEXT = "The question had already been answered before it could be stopped.";

/** What the agent is asked when someone shares files without a question. */
export const UPLOAD_ONLY_PROMPT =
  "Give me an overview of the data I just shared (rows, columns, types, missing values) and a first useful chart.";
