/**
 * What the thread's status line says while databot works ("is reading sales.csv…", "is running code…"), with
 * the rotating loading messages Slack shows under it.
 */
import type { TurnStatus } from "../../../core/ports";

const THINKING = ["Looking at the data…", "Planning the analysis…", "Writing the code…"];
const RUNNING = ["Running the analysis…", "Crunching the numbers…", "Drawing the chart…"];

/** The status line for a stage, or undefined when the thread needs none (posting: the answer is next). */
export function statusLine(status: TurnStatus): { status: string; loading?: string[] } | undefined {
  switch (status.stage) {
    case "queued":
      return { status: waitingText(status.position) };
    case "receiving_files":
      return { status: readingText(status.files) };
    case "thinking":
      return { status: "is thinking…", loading: THINKING };
    case "running_code":
      return { status: "is running code…", loading: RUNNING };
    case "posting":
      return undefined;
  }
}

/** "is reading sales.csv…", "is reading sales.csv and 2 more files…" */
function readingText(files: string[]): string {
  const [first, ...others] = files;
  if (!first) return "is reading the files…";
  const name = first.length > 60 ? `${first.slice(0, 57)}...` : first;
  if (others.length === 0) return `is reading ${name}…`;
  return `is reading ${name} and ${others.length} more file${others.length === 1 ? "" : "s"}…`;
}

export function waitingText(position: number): string {
  return position <= 1
    ? "is finishing an earlier question in this thread first…"
    : `is finishing ${position} earlier questions in this thread first…`;
}

/** Waiting for a session slot of the workspace (MAX_ACTIVE_SESSIONS). */
export function sessionWaitText(place: number): string {
  return place <= 1
    ? "is waiting for a free analysis session; this question is next…"
    : `is waiting for a free analysis session; this question is number ${place} in line…`;
}
