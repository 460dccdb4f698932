/**
 * The agent backend as the core sees it once databot counts what it does: every call, its duration and its
 * error code, the bytes streamed in, and every analysis session opened — a new thread (a new container on
 * Azure's new agents) or one that replaced an expired session, which is what Code Interpreter bills.
 */
import { asDatabotError } from "../../core/errors";
import type { AgentBackend, AgentOutput } from "../../core/ports";
import { countBytes } from "./counting-stream";
import type { DatabotMetrics } from "./metrics";

type Method = Exclude<keyof AgentBackend, "name">;

export function observedBackend(backend: AgentBackend, metrics: DatabotMetrics): AgentBackend {
  const name = backend.name;
  async function call<T>(method: Method, work: () => Promise<T>): Promise<T> {
    const labels = { backend: name, method };
    metrics.backendCalls.inc(labels);
    const timer = metrics.backendCallDuration.startTimer(labels);
    try {
      return await work();
    } catch (error) {
      metrics.backendErrors.inc({ ...labels, code: asDatabotError(error).code });
      throw error;
    } finally {
      timer();
    }
  }
  const opened = () => metrics.sessionsOpened.inc({ backend: name });
  const ran = (output: AgentOutput) => {
    if (output.sessionRestarted) opened();
    return output;
  };

  return {
    name,
    ready: () => call("ready", () => backend.ready()),
    ensureThread: (existingId) =>
      call("ensureThread", async () => {
        const ensured = await backend.ensureThread(existingId);
        if (ensured.id !== existingId || ensured.replacedExpired) opened();
        return ensured;
      }),
    uploadFile: (file, signal) =>
      call("uploadFile", () =>
        backend.uploadFile(
          {
            ...file,
            stream: countBytes(file.stream, (n) => metrics.bytesUploaded.inc({ backend: name }, n)),
          },
          signal,
        ),
      ),
    addMessage: (threadId, message) => call("addMessage", () => backend.addMessage(threadId, message)),
    run: (threadId, observer, signal) => call("run", () => backend.run(threadId, observer, signal)).then(ran),
    resumeRun: (threadId, runId, observer, signal) =>
      call("resumeRun", () => backend.resumeRun(threadId, runId, observer, signal)).then(ran),
    cancelRun: (threadId, runId) => call("cancelRun", () => backend.cancelRun(threadId, runId)),
    deleteThread: (threadId) => call("deleteThread", () => backend.deleteThread(threadId)),
    close: () => backend.close(),
  };
}
