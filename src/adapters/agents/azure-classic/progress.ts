/**
 * Turns stream deltas into the core's progress: the code being run (whole, as it grows) from run-step deltas,
 * and the answer text so far from message deltas.
 */
import type { MessageDeltaChunk, RunStep, RunStepDeltaChunk } from "@azure/ai-agents";
import type { RunObserver } from "../../../core/ports/agent-backend";
import { rewriteSandboxLinks } from "./outputs";

export class ProgressTracker {
  private readonly code = new Map<string, string>();
  private readonly texts = new Map<string, string[]>();

  constructor(private readonly observer: RunObserver) {}

  /** A step was created or completed: its code, when it is a code-interpreter call. */
  step(step: RunStep): void {
    if (step.stepDetails?.type !== "tool_calls") return;
    const calls = (
      step.stepDetails as { toolCalls?: Array<{ type: string; codeInterpreter?: { input?: string } }> }
    ).toolCalls;
    calls?.forEach((call, index) => {
      const input = call.codeInterpreter?.input;
      if (call.type === "code_interpreter" && input) this.showCode(`${step.id}:${index}`, input);
    });
  }

  stepDelta(chunk: RunStepDeltaChunk): void {
    const details = chunk.delta?.stepDetails as
      | { toolCalls?: Array<{ index: number; type: string; codeInterpreter?: { input?: string } }> }
      | undefined;
    for (const call of details?.toolCalls ?? []) {
      const piece = call.codeInterpreter?.input;
      if (call.type !== "code_interpreter" || !piece) continue;
      const key = `${chunk.id}:${call.index}`;
      this.showCode(key, (this.code.get(key) ?? "") + piece);
    }
  }

  messageDelta(chunk: MessageDeltaChunk): void {
    const parts = this.texts.get(chunk.id) ?? [];
    this.texts.set(chunk.id, parts);
    let changed = false;
    for (const content of chunk.delta?.content ?? []) {
      const value = (content as { type: string; text?: { value?: string } }).text?.value;
      if (content.type !== "text" || !value) continue;
      parts[content.index] = (parts[content.index] ?? "") + value;
      changed = true;
    }
    if (!changed) return;
    const whole = [...this.texts.values()]
      .map((p) => p.filter(Boolean).join(""))
      .filter(Boolean)
      .join("\n\n");
    this.observer.onProgress({ kind: "text", text: rewriteSandboxLinks(whole) });
  }

  private showCode(key: string, code: string): void {
    if (this.code.get(key) === code) return;
    this.code.set(key, code);
    this.observer.onProgress({ kind: "running_code", code });
  }
}
