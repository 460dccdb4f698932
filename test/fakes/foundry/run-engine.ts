/**
 * Plays a scripted turn on a run the way the service does: status transitions, run steps with code-interpreter
 * deltas, assistant messages with text and annotation deltas, then a terminal status. Every change lands in the
 * state (so polling sees it) and is emitted as a stream event (so a streaming client sees it). The run goes on when
 * the client's stream goes away.
 */
import type { FakeCodeCall, FakeRunEnd, FakeTurn } from "./script";
import { ACTIVE_STATUSES, type FakeState, type RunStatus, type WireObject, type WireRun } from "./state";
import { newId, nowSeconds } from "./wire";

/** Receives stream events; `end` closes the stream with `event: done`. */
export interface RunListener {
  event(name: string, data: unknown): void;
  end(): void;
}

const SILENT: RunListener = { event() {}, end() {} };

class CancelRequested extends Error {}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const nextTurnOfLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Splits text into pieces of at most `size` characters. */
function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length > 0 ? out : [""];
}

export class RunEngine {
  private readonly holds = new Map<string, () => void>();
  private readonly playing = new Set<string>();
  /** Runs released before they reached their hold: they pass it. */
  private readonly released = new Set<string>();

  constructor(private readonly state: FakeState) {}

  /** True while a run's turn is still being played. */
  isPlaying(runId: string): boolean {
    return this.playing.has(runId);
  }

  /** Lets held runs go on: one run (now, or when it reaches its hold), or every run holding now. */
  release(runId?: string): void {
    if (runId !== undefined) this.released.add(runId);
    for (const [id, resume] of this.holds) {
      if (runId === undefined || id === runId) {
        this.holds.delete(id);
        resume();
      }
    }
  }

  /** Asks a run to stop: a playing run ends at its next step; an idle one (requires_action) ends now. */
  cancel(run: WireRun): void {
    this.state.cancelRequested.add(run.id);
    this.setStatus(run, "cancelling");
    const held = this.holds.get(run.id);
    if (held) {
      this.holds.delete(run.id);
      held();
    }
    if (!this.playing.has(run.id)) setImmediate(() => this.finishCancelled(run, SILENT));
  }

  /** Plays `turn` on `run` in the background; resolves when the run reached a terminal or waiting status. */
  play(run: WireRun, turn: FakeTurn, listener: RunListener = SILENT): Promise<void> {
    this.playing.add(run.id);
    return this.perform(run, turn, listener).finally(() => {
      this.playing.delete(run.id);
      listener.end();
    });
  }

  private async perform(run: WireRun, turn: FakeTurn, out: RunListener): Promise<void> {
    const step = async () => {
      await (turn.delayMs ? sleep(turn.delayMs) : nextTurnOfLoop());
      if (this.state.cancelRequested.has(run.id)) throw new CancelRequested();
    };
    try {
      out.event("thread.run.created", run);
      out.event("thread.run.queued", run);
      await step();
      run.started_at = nowSeconds();
      this.setStatus(run, "in_progress");
      out.event("thread.run.in_progress", run);
      const shown: string[] = [];
      for (const call of turn.code ?? []) shown.push(...(await this.codeStep(run, call, out, step)));
      if (turn.hold && !this.released.has(run.id)) {
        await new Promise<void>((resolve) => this.holds.set(run.id, resolve));
      }
      await step();
      const end: FakeRunEnd = turn.end ?? { status: "completed" };
      if (end.status === "completed") {
        for (const image of turn.images ?? [])
          shown.push(this.state.addFile(image, "image.png", "assistants_output").id);
        await this.answer(run, turn, shown, out, step);
      }
      this.finish(run, end, out);
    } catch (error) {
      if (!(error instanceof CancelRequested)) throw error;
      this.finishCancelled(run, out);
    }
  }

  private newStep(run: WireRun, type: string, details: Record<string, unknown>): WireObject {
    const step: WireObject = {
      id: newId("step_"),
      object: "thread.run.step",
      type,
      assistant_id: run.assistant_id,
      thread_id: run.thread_id,
      run_id: run.id,
      status: "in_progress",
      step_details: details,
      last_error: null,
      created_at: nowSeconds(),
      expired_at: null,
      completed_at: null,
      cancelled_at: null,
      failed_at: null,
      usage: null,
      metadata: {},
    };
    if (!this.state.steps.has(run.id)) this.state.steps.set(run.id, []);
    this.state.steps.get(run.id)!.push(step);
    return step;
  }

  /** One code-interpreter call: the input streamed in pieces, then its logs and images. Returns images to show. */
  private async codeStep(run: WireRun, call: FakeCodeCall, out: RunListener, step: () => Promise<void>) {
    const callId = newId("call_");
    const code = { input: "", outputs: [] as Record<string, unknown>[] };
    const runStep = this.newStep(run, "tool_calls", {
      type: "tool_calls",
      tool_calls: [{ id: callId, type: "code_interpreter", code_interpreter: code }],
    });
    out.event("thread.run.step.created", runStep);
    out.event("thread.run.step.in_progress", runStep);
    const delta = (detail: Record<string, unknown>, first = false) =>
      out.event("thread.run.step.delta", {
        id: runStep.id,
        object: "thread.run.step.delta",
        delta: {
          step_details: {
            type: "tool_calls",
            tool_calls: [
              {
                index: 0,
                type: "code_interpreter",
                ...(first ? { id: callId } : {}),
                code_interpreter: detail,
              },
            ],
          },
        },
      });
    delta({ input: "", outputs: [] }, true);
    for (const piece of pieces(call.input, 60)) {
      await step();
      code.input += piece;
      delta({ input: piece });
    }
    await step();
    const shown: string[] = [];
    if (call.logs !== undefined) {
      code.outputs.push({ type: "logs", logs: call.logs });
      delta({ outputs: [{ index: code.outputs.length - 1, type: "logs", logs: call.logs }] });
    }
    for (const image of call.images ?? []) {
      const file = this.state.addFile(image, "image.png", "assistants_output");
      code.outputs.push({ type: "image", image: { file_id: file.id } });
      delta({ outputs: [{ index: code.outputs.length - 1, type: "image", image: { file_id: file.id } }] });
      if (!call.hideFromAnswer) shown.push(file.id);
    }
    runStep.status = "completed";
    runStep.completed_at = nowSeconds();
    out.event("thread.run.step.completed", runStep);
    return shown;
  }

  /** The answer messages; the last one carries the charts and the links to written files. */
  private async answer(
    run: WireRun,
    turn: FakeTurn,
    images: string[],
    out: RunListener,
    step: () => Promise<void>,
  ) {
    const texts = turn.text === undefined ? [""] : Array.isArray(turn.text) ? turn.text : [turn.text];
    for (const [i, raw] of texts.entries()) {
      const last = i === texts.length - 1;
      const { text, annotations } = last ? this.linkFiles(raw, turn) : { text: raw, annotations: [] };
      const message = this.state.addMessage(
        run.thread_id,
        { role: "assistant", attachments: [] },
        { runId: run.id, assistantId: run.assistant_id },
      );
      const runStep = this.newStep(run, "message_creation", {
        type: "message_creation",
        message_creation: { message_id: message.id },
      });
      out.event("thread.run.step.created", runStep);
      out.event("thread.run.step.in_progress", runStep);
      out.event("thread.message.created", message);
      out.event("thread.message.in_progress", message);
      const content: Record<string, unknown>[] = [];
      const delta = (part: Record<string, unknown>) =>
        out.event("thread.message.delta", {
          id: message.id,
          object: "thread.message.delta",
          delta: { content: [part] },
        });
      for (const fileId of last ? images : []) {
        await step();
        content.push({ type: "image_file", image_file: { file_id: fileId } });
        delta({ index: content.length - 1, type: "image_file", image_file: { file_id: fileId } });
      }
      const textIndex = content.length;
      content.push({ type: "text", text: { value: text, annotations } });
      for (const piece of this.textPieces(text, annotations)) {
        await step();
        delta({ index: textIndex, type: "text", text: piece });
      }
      message.content = content;
      message.status = "completed";
      message.completed_at = nowSeconds();
      out.event("thread.message.completed", message);
      runStep.status = "completed";
      runStep.completed_at = nowSeconds();
      out.event("thread.run.step.completed", runStep);
    }
  }

  /** Writes the turn's files and annotates every `sandbox:/mnt/data/<name>` link (adding one when the text has none). */
  private linkFiles(raw: string, turn: FakeTurn) {
    let text = raw;
    const annotations: Record<string, unknown>[] = [];
    const found: { start: number; link: string; fileId: string }[] = [];
    for (const file of turn.files ?? []) {
      const link = `sandbox:/mnt/data/${file.name}`;
      if (!text.includes(link)) text += `${text ? "\n\n" : ""}[Download ${file.name}](${link})`;
      const content = typeof file.content === "string" ? Buffer.from(file.content) : file.content;
      const info = this.state.addFile(content, `/mnt/data/${file.name}`, "assistants_output");
      for (let at = text.indexOf(link); at >= 0; at = text.indexOf(link, at + link.length)) {
        found.push({ start: at, link, fileId: info.id });
      }
    }
    found.sort((a, b) => a.start - b.start);
    for (const f of found) {
      annotations.push({
        type: "file_path",
        text: f.link,
        start_index: f.start,
        end_index: f.start + f.link.length,
        file_path: { file_id: f.fileId },
      });
    }
    return { text, annotations };
  }

  /** Text deltas: plain text in short pieces, each annotated link whole and carrying its annotation. */
  private textPieces(text: string, annotations: Record<string, unknown>[]) {
    const out: { value: string; annotations?: Record<string, unknown>[] }[] = [];
    let at = 0;
    annotations.forEach((annotation, index) => {
      const start = annotation.start_index as number;
      const end = annotation.end_index as number;
      if (start > at) for (const p of pieces(text.slice(at, start), 40)) out.push({ value: p });
      out.push({ value: text.slice(start, end), annotations: [{ index, ...annotation }] });
      at = end;
    });
    if (at < text.length || out.length === 0)
      for (const p of pieces(text.slice(at), 40)) out.push({ value: p });
    return out;
  }

  private setStatus(run: WireRun, status: RunStatus): void {
    run.status = status;
  }

  private finish(run: WireRun, reported: FakeRunEnd, out: RunListener): void {
    const now = nowSeconds();
    let end = reported;
    if (end.status === "error") {
      // The stream reports an `error` event, and the run fails with it.
      const error = {
        code: end.code ?? "server_error",
        message: end.message ?? "Sorry, something went wrong.",
      };
      out.event("error", { error });
      end = { status: "failed", ...error };
    }
    run.expires_at = null;
    switch (end.status) {
      case "completed":
        run.completed_at = now;
        run.usage = { prompt_tokens: 412, completion_tokens: 96, total_tokens: 508 };
        break;
      case "failed":
        run.failed_at = now;
        run.last_error = {
          code: end.code ?? "server_error",
          message: end.message ?? "Sorry, something went wrong.",
        };
        break;
      case "expired":
        break;
      case "cancelled":
        run.cancelled_at = now;
        break;
      case "incomplete":
        run.incomplete_details = { reason: end.reason ?? "max_completion_tokens" };
        break;
      case "requires_action":
        run.expires_at = now + 600;
        run.required_action = {
          type: "submit_tool_outputs",
          submit_tool_outputs: {
            tool_calls: [
              {
                id: newId("call_"),
                type: "function",
                function: { name: "lookup_exchange_rate", arguments: "{}" },
              },
            ],
          },
        };
        break;
    }
    this.setStatus(run, end.status);
    this.closeSteps(
      run,
      end.status === "completed" || end.status === "requires_action" ? undefined : end.status,
    );
    out.event(`thread.run.${end.status}`, run);
  }

  private finishCancelled(run: WireRun, out: RunListener): void {
    if (!ACTIVE_STATUSES.has(run.status)) return;
    out.event("thread.run.cancelling", { ...run, status: "cancelling" });
    run.cancelled_at = nowSeconds();
    run.expires_at = null;
    run.required_action = null;
    this.setStatus(run, "cancelled");
    this.closeSteps(run, "cancelled");
    out.event("thread.run.cancelled", run);
  }

  /** Steps and messages still in progress when a run ends badly end with it. */
  private closeSteps(run: WireRun, status: string | undefined): void {
    if (status === undefined) return;
    for (const s of this.state.steps.get(run.id) ?? []) {
      if (s.status !== "in_progress") continue;
      s.status = status === "incomplete" ? "failed" : status;
      s[`${status === "incomplete" ? "failed" : status}_at`] = nowSeconds();
    }
    for (const m of this.state.messages.get(run.thread_id) ?? []) {
      if (m.run_id === run.id && m.status === "in_progress") {
        m.status = "incomplete";
        m.incomplete_at = nowSeconds();
        m.incomplete_details = { reason: `run_${status}` };
      }
    }
  }
}
