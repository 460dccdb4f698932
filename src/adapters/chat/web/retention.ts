/**
 * What the browser chat keeps about conversations, for the `RETENTION_DAYS` purge and `databot forget`: each
 * thread's transcript with the charts and files of its replies, and the files dropped into it.
 */
import type { RetentionTarget } from "../../../core/ports";
import { decodeThreadId } from "../../../core/thread-id";
import type { SurfaceDeps } from "../surface-module";
import { TranscriptStore } from "./transcript";
import { UploadStore } from "./uploads";
import { webThreadId } from "./web-surface";

/** The web chat's stores, from the shared state only: no server, so `databot forget` can build them too. */
export function webStores(deps: Pick<SurfaceDeps, "shared" | "filePolicy">): {
  transcripts: TranscriptStore;
  uploads: UploadStore;
} {
  const { blobs, webTranscripts } = deps.shared;
  return {
    transcripts: new TranscriptStore(webTranscripts, blobs),
    uploads: new UploadStore(blobs, deps.filePolicy),
  };
}

export function webRetention(transcripts: TranscriptStore, uploads: UploadStore): RetentionTarget[] {
  return [
    {
      name: "web-transcripts",
      purgeOlderThan: async (cutoff) => (await transcripts.purgeIdle(cutoff)).map(webThreadId),
      async forgetThread(chatThreadId) {
        const key = webKeyOf(chatThreadId);
        if (!key) return [];
        const existed = (await transcripts.get(key)) !== undefined;
        await transcripts.delete(key); // its charts and files too, even without a transcript left
        return existed ? [chatThreadId] : [];
      },
    },
    {
      name: "web-uploads",
      purgeOlderThan: (cutoff) => uploads.purgeOlderThan(cutoff),
      async forgetThread(chatThreadId) {
        const key = webKeyOf(chatThreadId);
        return key ? uploads.removeThread(key) : [];
      },
    },
  ];
}

/** The web thread key of a chat thread id, or undefined for another platform's thread. */
function webKeyOf(chatThreadId: string): string | undefined {
  try {
    const { platform, parts } = decodeThreadId(chatThreadId);
    return platform === "web" && parts.length === 1 ? parts[0] : undefined;
  } catch {
    return undefined;
  }
}
