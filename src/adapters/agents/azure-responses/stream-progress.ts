/**
 * Turns a response's stream events into the core's progress: the code being run (whole, as it grows) from
 * `response.code_interpreter_call_code.*`, and the answer so far from `response.output_text.*`.
 */
import type { RunObserver } from "../../../core/ports/agent-backend";
import { rewriteAnswerLinks } from "./outputs";

export class StreamProgress {
  private readonly code = new Map<string, string>();
  /** Text per message part (`item:content index`), in the order the parts began. */
  private readonly texts = new Map<string, string>();

  constructor(private readonly observer: RunObserver) {}

  codeDelta(itemId: string, delta: string): void {
    this.showCode(itemId, (this.code.get(itemId) ?? "") + delta);
  }

  codeDone(itemId: string, code: string): void {
    this.showCode(itemId, code);
  }

  textDelta(itemId: string, contentIndex: number, delta: string): void {
    const key = `${itemId}:${contentIndex}`;
    this.showText(key, (this.texts.get(key) ?? "") + delta);
  }

  textDone(itemId: string, contentIndex: number, text: string): void {
    this.showText(`${itemId}:${contentIndex}`, text);
  }

  private showCode(itemId: string, code: string): void {
    if (code === "" || this.code.get(itemId) === code) return;
    this.code.set(itemId, code);
    this.observer.onProgress({ kind: "running_code", code });
  }

  private showText(key: string, text: string): void {
    if (this.texts.get(key) === text) return;
    this.texts.set(key, text);
    const whole = [...this.texts.values()].filter((t) => t !== "").join("\n\n");
    if (whole !== "") this.observer.onProgress({ kind: "text", text: rewriteAnswerLinks(whole) });
  }
}
