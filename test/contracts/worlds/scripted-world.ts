/**
 * The scripted test backend as a contract subject: its "service" is in memory and shared by the instance a
 * restart makes, and its script plays the contract's answers.
 */
import type { AgentOutput } from "../../../src/core/ports";
import { ScriptedBackend, type ScriptContext } from "../../fakes/scripted-backend";
import { AnswerBook } from "../answer-book";
import type { BackendSubject, ContractWorld, ServiceRun } from "../contract-world";

const STATUS: Record<string, ServiceRun["status"]> = {
  in_progress: "active",
  completed: "completed",
  cancelled: "cancelled",
  failed: "failed",
};

export const scriptedSubject: BackendSubject = {
  name: "the scripted test backend",
  expiry: { kind: "new-thread", means: "the in-memory service drops the thread" },
  async start(): Promise<ContractWorld> {
    const book = new AnswerBook();
    let backend: ScriptedBackend;
    const script = async (context: ScriptContext): Promise<AgentOutput> => {
      const { key, answer, hold } = book.play(context.messages.at(-1)?.text ?? "");
      const files = context.messages.flatMap((m) => m.files).map((f) => backend.files.get(f.id)!);
      book.recordFiles(
        key,
        files.map((f) => ({ name: f.name, content: f.head.toString("utf8") })),
      );
      context.observer.onProgress({ kind: "running_code", code: answer.code });
      if (hold) await book.waitForRelease(key, context.signal);
      if (answer.fail) throw new Error(answer.fail);
      return {
        text: answer.text,
        images: [],
        files: [],
        code: [{ language: "python", code: answer.code, output: answer.output }],
        notices: [],
      };
    };
    backend = new ScriptedBackend({ script });
    return {
      get backend() {
        return backend;
      },
      async restart() {
        await backend.close();
        backend = backend.restarted();
        return backend;
      },
      answer: (key, answer) => book.set(key, answer),
      release: () => book.release(),
      analyses: (key) => book.playCount(key),
      filesSeen: (key) => book.filesSeen(key),
      uploadBytesReceived: async () => backend.uploadBytesReceived,
      runs: async (threadId) =>
        backend.runsOn(threadId).map((r) => ({ id: r.id, status: STATUS[r.status]! })),
      loseThread: async (threadId) => backend.forgetThread(threadId),
      expire: async (threadId) => backend.forgetThread(threadId),
      close: () => backend.close(),
    };
  },
};
