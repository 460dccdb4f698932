/**
 * Plays a scripted turn as a background response the way the Responses API does: `response.created`, code
 * interpreter calls with their code streamed in deltas and their logs and images as outputs, an assistant
 * message whose text streams in deltas with `container_file_citation` annotations for the files the code wrote,
 * then `response.completed` (or `.failed`, `.incomplete`, an `error` event, or a cancel). Every event carries a
 * `sequence_number` and is kept for replay. Output items join the conversation when the response completes.
 */
import { CancelRequested, HoldGate, pieces, sleep, nextTurnOfLoop } from "./engine-timing";
import type { FakeCodeCall, FakeRunEnd, FakeTurn } from "./script";
import {
  type FakeContainer,
  type FakeResponse,
  type ResponsesState,
  type StreamEvent,
  type WireItem,
} from "./responses-state";
import { newId, type JsonObject } from "./wire";

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

interface Shown {
  name: string;
  content: Buffer;
}

export class ResponseEngine {
  readonly holds = new HoldGate();

  constructor(private readonly state: ResponsesState) {}

  /** Asks a response to stop: it ends as cancelled at its next step. */
  cancel(response: FakeResponse): void {
    response.cancelRequested = true;
    this.holds.release(response.body.id);
  }

  /** Plays `turn`; resolves when the response ended. */
  async play(response: FakeResponse, turn: FakeTurn): Promise<void> {
    const step = async () => {
      await (turn.delayMs ? sleep(turn.delayMs) : nextTurnOfLoop());
      if (response.cancelRequested) throw new CancelRequested();
    };
    try {
      this.emit(response, "response.created", { response: clone(response.body) });
      this.emit(response, "response.queued", { response: clone(response.body) });
      await step();
      response.body.status = "in_progress";
      this.emit(response, "response.in_progress", { response: clone(response.body) });
      const container = response.containerId ? this.state.container(response.containerId) : undefined;
      if (container) container.info.last_active_at = this.state.now();
      const shown: Shown[] = [];
      for (const call of turn.code ?? [])
        shown.push(...(await this.codeCall(response, call, container, step)));
      if (turn.hold) await this.holds.wait(response.body.id);
      await step();
      const end: FakeRunEnd = turn.end ?? { status: "completed" };
      if (end.status === "completed" || end.status === "incomplete") {
        for (const [i, image] of (turn.images ?? []).entries()) {
          shown.push({ name: `figure-${i + 1}.png`, content: image });
        }
        await this.answer(response, turn, shown, container, step, end.status === "incomplete");
      }
      this.finish(response, end);
    } catch (error) {
      if (!(error instanceof CancelRequested)) throw error;
      this.finishCancelled(response);
    } finally {
      response.ended = true;
      for (const listener of [...response.listeners]) listener(undefined);
    }
  }

  private emit(response: FakeResponse, type: string, fields: JsonObject): void {
    const event: StreamEvent = { type, sequence_number: response.events.length, ...fields };
    response.events.push(event);
    for (const listener of [...response.listeners]) listener(event);
  }

  private async codeCall(
    response: FakeResponse,
    call: FakeCodeCall,
    container: FakeContainer | undefined,
    step: () => Promise<void>,
  ): Promise<Shown[]> {
    const item: WireItem = {
      id: newId("ci_", 40),
      type: "code_interpreter_call",
      status: "in_progress",
      code: "",
      container_id: container?.info.id ?? "",
      outputs: null,
    };
    const output_index = response.body.output.push(item) - 1;
    const ref = { output_index, item_id: item.id };
    this.emit(response, "response.output_item.added", { output_index, item: clone(item) });
    this.emit(response, "response.code_interpreter_call.in_progress", ref);
    for (const piece of pieces(call.input, 60)) {
      await step();
      item.code += piece;
      this.emit(response, "response.code_interpreter_call_code.delta", { ...ref, delta: piece });
    }
    this.emit(response, "response.code_interpreter_call_code.done", { ...ref, code: item.code });
    item.status = "interpreting";
    this.emit(response, "response.code_interpreter_call.interpreting", ref);
    await step();
    const outputs: JsonObject[] = [];
    if (call.logs !== undefined) outputs.push({ type: "logs", logs: call.logs });
    const shown: Shown[] = [];
    for (const image of call.images ?? []) {
      outputs.push({ type: "image", url: `data:image/png;base64,${image.toString("base64")}` });
      if (!call.hideFromAnswer) shown.push({ name: "", content: image });
    }
    item.outputs = outputs;
    item.status = "completed";
    this.emit(response, "response.code_interpreter_call.completed", ref);
    this.emit(response, "response.output_item.done", { output_index, item: clone(item) });
    return shown;
  }

  /** The assistant messages; the last one cites the charts shown and the files written. */
  private async answer(
    response: FakeResponse,
    turn: FakeTurn,
    shown: Shown[],
    container: FakeContainer | undefined,
    step: () => Promise<void>,
    cutShort: boolean,
  ): Promise<void> {
    const texts = turn.text === undefined ? [""] : Array.isArray(turn.text) ? turn.text : [turn.text];
    for (const [i, raw] of texts.entries()) {
      const last = i === texts.length - 1;
      const linked =
        last && container ? this.cite(raw, turn, shown, container) : { text: raw, annotations: [] };
      const text = cutShort ? linked.text.slice(0, Math.ceil(linked.text.length / 2)) : linked.text;
      const annotations = linked.annotations.filter((a) => (a.end_index as number) <= text.length);
      const item: WireItem = {
        id: newId("msg_", 40),
        type: "message",
        status: "in_progress",
        role: "assistant",
        content: [],
      };
      const output_index = response.body.output.push(item) - 1;
      const part = { type: "output_text", text: "", annotations: [] as JsonObject[], logprobs: [] };
      (item.content as JsonObject[]).push(part);
      const ref = { item_id: item.id, output_index, content_index: 0 };
      this.emit(response, "response.output_item.added", {
        output_index,
        item: clone({ ...item, content: [] }),
      });
      this.emit(response, "response.content_part.added", { ...ref, part: clone({ ...part, text: "" }) });
      for (const piece of textPieces(text, annotations)) {
        await step();
        part.text += piece.value;
        this.emit(response, "response.output_text.delta", { ...ref, delta: piece.value, logprobs: [] });
        if (piece.annotation) {
          part.annotations.push(piece.annotation);
          this.emit(response, "response.output_text.annotation.added", {
            ...ref,
            annotation_index: part.annotations.length - 1,
            annotation: clone(piece.annotation),
          });
        }
      }
      this.emit(response, "response.output_text.done", { ...ref, text: part.text, logprobs: [] });
      this.emit(response, "response.content_part.done", { ...ref, part: clone(part) });
      item.status = cutShort ? "incomplete" : "completed";
      this.emit(response, "response.output_item.done", { output_index, item: clone(item) });
    }
  }

  /** Writes the charts and files into the container and cites each `sandbox:/mnt/data/<name>` link. */
  private cite(raw: string, turn: FakeTurn, shown: Shown[], container: FakeContainer) {
    let text = raw;
    const found: { start: number; link: string; name: string; fileId: string }[] = [];
    const place = (name: string, content: Buffer, embed: boolean) => {
      const link = `sandbox:/mnt/data/${name}`;
      if (!text.includes(link))
        text += `${text ? "\n\n" : ""}${embed ? "!" : ""}[${embed ? name : `Download ${name}`}](${link})`;
      const info = this.state.writeContainerFile(container, name, content, "assistant");
      for (let at = text.indexOf(link); at >= 0; at = text.indexOf(link, at + link.length)) {
        found.push({ start: at, link, name, fileId: info.id });
      }
    };
    shown.forEach((image, i) =>
      place(image.name || (i === 0 ? "chart.png" : `chart-${i + 1}.png`), image.content, true),
    );
    for (const file of turn.files ?? []) {
      place(file.name, typeof file.content === "string" ? Buffer.from(file.content) : file.content, false);
    }
    found.sort((a, b) => a.start - b.start);
    const annotations: JsonObject[] = found.map((f) => ({
      type: "container_file_citation",
      container_id: container.info.id,
      file_id: f.fileId,
      filename: f.name,
      start_index: f.start,
      end_index: f.start + f.link.length,
    }));
    return { text, annotations };
  }

  private finish(response: FakeResponse, end: FakeRunEnd): void {
    const body = response.body;
    const now = this.state.now();
    switch (end.status) {
      case "completed":
        body.status = "completed";
        body.completed_at = now;
        body.usage = { input_tokens: 412, output_tokens: 96, total_tokens: 508 };
        this.emit(response, "response.completed", { response: clone(body) });
        break;
      case "incomplete":
        body.status = "incomplete";
        body.incomplete_details = { reason: end.reason ?? "max_output_tokens" };
        this.emit(response, "response.incomplete", { response: clone(body) });
        break;
      case "error":
        // The stream reports the failure as an `error` event; the response itself ends failed.
        this.emit(response, "error", {
          code: end.code ?? "server_error",
          message: end.message ?? "An error occurred while processing your request.",
          param: null,
        });
        body.status = "failed";
        body.error = {
          code: end.code ?? "server_error",
          message: end.message ?? "An error occurred while processing your request.",
        };
        break;
      case "cancelled":
        this.finishCancelled(response);
        return;
      default: {
        const failure = end as { code?: string; message?: string };
        body.status = "failed";
        body.error = {
          code: failure.code ?? "server_error",
          message: failure.message ?? "Sorry, something went wrong.",
        };
        this.emit(response, "response.failed", { response: clone(body) });
      }
    }
    if (body.status === "completed" || body.status === "incomplete") {
      const conversation = response.conversationId
        ? this.state.conversations.get(response.conversationId)
        : undefined;
      conversation?.items.push(...clone(body.output));
    }
    const container = response.containerId ? this.state.containers.get(response.containerId) : undefined;
    if (container && container.info.status === "running") container.info.last_active_at = this.state.now();
  }

  /** A cancelled background response just stops: its stream ends without an ending event. */
  private finishCancelled(response: FakeResponse): void {
    response.body.status = "cancelled";
  }
}

/** Text deltas: plain text in short pieces, each cited link whole and carrying its annotation. */
function textPieces(text: string, annotations: JsonObject[]) {
  const out: { value: string; annotation?: JsonObject }[] = [];
  let at = 0;
  for (const annotation of annotations) {
    const start = annotation.start_index as number;
    const end = annotation.end_index as number;
    if (start > at) for (const p of pieces(text.slice(at, start), 40)) out.push({ value: p });
    out.push({ value: text.slice(start, end), annotation });
    at = end;
  }
  if (at < text.length || out.length === 0)
    for (const p of pieces(text.slice(at), 40)) out.push({ value: p });
  return out;
}
