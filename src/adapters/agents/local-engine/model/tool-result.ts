/**
 * A cell's result as the text the model reads in the tool message: output, error and traceback, limits hit,
 * and the figures and files produced. Each part is capped so a flood of output cannot fill the context.
 */
import type { CellResult } from "../types";

const STREAM_CAP = 4000;
const TRACEBACK_CAP = 4000;
const LIST_CAP = 30;

const LIMIT_TEXT: Record<string, string> = {
  wall_clock: "it ran longer than the time limit",
  cpu: "it used more CPU time than allowed",
  memory: "it used more memory than allowed",
  output: "it printed more output than allowed",
  disk: "it wrote more data than the session's disk quota",
  killed: "the sandbox killed it",
};

/** Formats a cell result for the model. */
export function formatCellResult(result: CellResult): string {
  const parts: string[] = [];
  if (result.stdout.trim() !== "") parts.push(`stdout:\n${capMiddle(result.stdout, STREAM_CAP)}`);
  if (result.stderr.trim() !== "") parts.push(`stderr:\n${capMiddle(result.stderr, STREAM_CAP)}`);
  if (result.error) {
    const traceback = result.error.traceback.trim() || `${result.error.name}: ${result.error.message}`;
    // The end of a traceback names the failing line and the exception: keep it.
    parts.push(`error: ${result.error.name}: ${result.error.message}\n${capStart(traceback, TRACEBACK_CAP)}`);
  }
  if (result.limit) {
    parts.push(
      `The cell was stopped: ${LIMIT_TEXT[result.limit] ?? result.limit}. Make the code lighter and try again.`,
    );
  }
  if (result.images.length > 0) {
    parts.push(`figures saved and shown to the user: ${listNames(result.images.map((i) => i.name))}`);
  }
  if (result.files.length > 0) {
    parts.push(
      `files written in /mnt/data (attached to the answer): ${listNames(
        result.files.map((f) => `${f.name} (${f.size} bytes)`),
      )}`,
    );
  }
  if (parts.length === 0) return "The code ran without errors and printed nothing.";
  const status = result.error || result.limit ? "The code failed." : "The code ran.";
  return `${status}\n\n${parts.join("\n\n")}`;
}

function listNames(names: string[]): string {
  const shown = names.slice(0, LIST_CAP).join(", ");
  return names.length > LIST_CAP ? `${shown} and ${names.length - LIST_CAP} more` : shown;
}

/** Keeps the start and the end of a long text. */
function capMiddle(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = Math.floor(max * 0.6);
  const tail = max - head;
  const omitted = text.length - head - tail;
  return `${text.slice(0, head)}\n[... ${omitted} characters omitted ...]\n${text.slice(-tail)}`;
}

function capStart(text: string, max: number): string {
  if (text.length <= max) return text;
  return `[... ${text.length - max} characters omitted ...]\n${text.slice(-max)}`;
}
