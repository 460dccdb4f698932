/**
 * Turns the core's progress into what a Slack user sees while databot works: a status line under the thread
 * with rotating loading messages, then the answer text appearing as it is written.
 */
import type { InboundMessage, Progress } from "../../core/types";
import type { LiveAnswers } from "./live-answer";
import { answerTarget } from "./normalize";
import type { StatusLine } from "./status";

const THINKING = ["Looking at the data…", "Planning the analysis…", "Writing the code…"];
const RUNNING = ["Running the analysis…", "Crunching the numbers…", "Drawing the chart…"];

export class SlackProgress {
  constructor(
    private readonly status: StatusLine,
    private readonly answers: LiveAnswers,
  ) {}

  /** Shows `progress` for the message; returns at once (Slack calls happen in the background). */
  update(message: InboundMessage, progress: Progress): void {
    const target = answerTarget(message);
    switch (progress.stage) {
      case "queued":
        this.status.set(message.id, target, waitingText(progress.position));
        return;
      case "receiving_files":
        this.status.set(message.id, target, readingText(progress.files));
        return;
      case "thinking":
        this.status.set(message.id, target, "is thinking…", THINKING);
        return;
      case "running_code":
        this.status.set(message.id, target, "is running code…", RUNNING);
        return;
      case "answering":
        this.answers.onText(message, target, progress.text);
        return;
      case "posting":
        return; // the answer itself is the next thing the thread sees
    }
  }
}

/** "is reading sales.csv…", "is reading sales.csv and 2 more files…" */
export function readingText(files: string[]): string {
  const [first, ...others] = files;
  if (!first) return "is reading the files…";
  const name = first.length > 60 ? `${first.slice(0, 57)}...` : first;
  if (others.length === 0) return `is reading ${name}…`;
  return `is reading ${name} and ${others.length} more file${others.length === 1 ? "" : "s"}…`;
}

function waitingText(position: number): string {
  return position <= 1
    ? "is finishing an earlier question in this thread first…"
    : `is finishing ${position} earlier questions in this thread first…`;
}
