/**
 * One run of the local engine: the thread's session (fresh after an expiry, with the thread's files copied back
 * in), the analyst answering the question in it, and the answer recorded in the thread. The backend decides
 * when a run starts and who waits for it; this is what a run does.
 */
import { DatabotError, ErrorCode, asDatabotError } from "../../../core/errors";
import type { AgentOutput, RunObserver } from "../../../core/ports";
import { buildOutput } from "./local-output";
import { newLocalId, type LocalThread, type LocalThreadStore } from "./local-threads";
import type { SessionManager, ThreadSession } from "./session-manager";
import type { Analyst, AnalystInput, AnalystOutput, HistoryEntry, SandboxSession } from "./types";

export interface LocalRunDeps {
  store: LocalThreadStore;
  sessions: SessionManager;
  analyst: Analyst;
  /** This process's name, recorded in the thread when it opens a session for it. */
  holder: string;
}

export class LocalRun {
  constructor(private readonly deps: LocalRunDeps) {}

  async execute(
    thread: LocalThread,
    runId: string,
    observer: RunObserver,
    signal: AbortSignal,
  ): Promise<AgentOutput> {
    const record = thread.runs[runId]!;
    const index = thread.messages.findIndex((m) => m.id === record.messageId);
    const question = thread.messages[index]!;
    let threadSession: ThreadSession;
    try {
      threadSession = await this.deps.sessions.acquire(thread.id);
    } catch (error) {
      throw asDatabotError(error);
    }
    const { session } = threadSession;
    try {
      const restarted = threadSession.fresh && thread.hadSession;
      // Reported here unless the turn's ensureThread already did.
      const reportRestart = restarted && !thread.restartReported;
      if (threadSession.fresh) {
        await this.deps.store.update(thread.id, (t) => {
          t.hadSession = true;
          t.sessionHolder = this.deps.holder;
          delete t.restartReported;
        });
      }
      const newFiles = await this.copyFiles(thread, index, threadSession);
      observer.onProgress({ kind: "thinking" });
      let answer: AnalystOutput;
      try {
        answer = await this.deps.analyst.answer({
          question: question.text,
          newFiles,
          files: await session.listFiles(),
          history: historyBefore(thread, index),
          sessionRestarted: restarted,
          ...forwardProgress(session, observer),
          signal,
        });
      } catch (error) {
        if (signal.aborted) throw cancelled();
        const failure = asDatabotError(error);
        throw failure.code === ErrorCode.Internal
          ? new DatabotError(ErrorCode.RunFailed, "The analysis failed before it could answer.", {
              cause: error,
            })
          : failure;
      }
      if (signal.aborted) throw cancelled();
      const output = buildOutput(answer, session, question.text);
      await this.deps.store.update(thread.id, (t) => {
        t.messages.push({
          id: newLocalId("msg"),
          role: "assistant",
          text: output.text,
          files: [],
          runId,
          createdAt: new Date().toISOString(),
        });
        t.runs[runId] = { messageId: question.id, status: "completed" };
      });
      return reportRestart ? { ...output, sessionRestarted: { filesRestored: true } } : output;
    } finally {
      this.deps.sessions.release(thread.id, session);
    }
  }

  /**
   * Copies into the session every thread file it does not have yet (all of them after a restart; files shared
   * later in the thread replace earlier ones of the same name). Returns the names that came with this question.
   */
  private async copyFiles(
    thread: LocalThread,
    questionIndex: number,
    threadSession: ThreadSession,
  ): Promise<string[]> {
    const latest = new Map<string, { threadFileId: string; messageIndex: number }>();
    thread.messages.forEach((message, messageIndex) => {
      if (message.role !== "user" || messageIndex > questionIndex) return;
      for (const file of message.files) latest.set(file.name, { threadFileId: file.id, messageIndex });
    });
    const lastAnswer = lastIndexOf(thread.messages, (m, i) => m.role === "assistant" && i < questionIndex);
    const newFiles: string[] = [];
    for (const [name, { threadFileId, messageIndex }] of latest) {
      if (messageIndex > lastAnswer) newFiles.push(name);
      if (threadSession.copiedFiles.has(threadFileId)) continue;
      await threadSession.session.writeFile(name, await this.deps.store.openFile(thread.id, threadFileId));
      threadSession.copiedFiles.add(threadFileId);
    }
    return newFiles;
  }
}

function cancelled(): DatabotError {
  return new DatabotError(ErrorCode.RunCancelled, "The analysis was cancelled.");
}

function lastIndexOf<T>(items: T[], test: (item: T, index: number) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i]!, i)) return i;
  return -1;
}

function historyBefore(thread: LocalThread, index: number): HistoryEntry[] {
  return thread.messages.slice(0, index).map((m) => ({
    role: m.role,
    text: m.role === "user" && m.authorName ? `${m.authorName}: ${m.text}` : m.text,
  }));
}

/**
 * Reports `running_code` before each cell, unless the analyst just reported that very code itself. The analyst
 * sees the session without `close`: the backend owns the session's lifetime.
 */
function forwardProgress(
  session: SandboxSession,
  observer: RunObserver,
): Pick<AnalystInput, "session" | "onProgress"> {
  let announced: string | undefined;
  return {
    onProgress: (progress) => {
      if (progress.kind === "running_code") announced = progress.code;
      observer.onProgress(progress);
    },
    session: {
      id: session.id,
      writeFile: (name, stream) => session.writeFile(name, stream),
      listFiles: () => session.listFiles(),
      openFile: (name) => session.openFile(name),
      close: async () => undefined,
      run: (code, signal) => {
        if (announced !== code) observer.onProgress({ kind: "running_code", code });
        announced = undefined;
        return session.run(code, signal);
      },
    },
  };
}
