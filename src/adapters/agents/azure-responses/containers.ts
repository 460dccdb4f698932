/**
 * One code-interpreter container per chat thread: created explicitly with an idle expiry, named on every
 * response, so the thread's files and Python variables carry over between questions. A container expires after
 * a while without use; then a new one is made and the thread's files (same file ids) are copied into it again.
 */
import type OpenAI from "openai";
import type { Logger } from "../../../core/logger";
import { isContainerExpired, statusOf, toDatabotError } from "./errors";
import type { ThreadFile, ThreadState } from "./thread-state";

export interface ContainerSettings {
  /** A container is deleted by the service after this many minutes without use. */
  idleMinutes: number;
}

export class Containers {
  constructor(
    private readonly openai: OpenAI,
    private readonly settings: ContainerSettings,
    private readonly logger: Logger,
  ) {}

  /** A new, empty container for a conversation. */
  async create(conversationId: string): Promise<string> {
    try {
      const container = await this.openai.containers.create({
        name: `databot-${conversationId}`.slice(0, 64),
        expires_after: { anchor: "last_active_at", minutes: this.settings.idleMinutes },
      });
      this.logger.info({ conversationId, containerId: container.id }, "created a container");
      return container.id;
    } catch (error) {
      throw toDatabotError(error, "starting the analysis session");
    }
  }

  /** True while the container is usable (not expired, not deleted). */
  async isAlive(containerId: string): Promise<boolean> {
    try {
      const container = await this.openai.containers.retrieve(containerId);
      return container.status !== "expired";
    } catch (error) {
      if (statusOf(error) === 404 || isContainerExpired(error)) return false;
      throw toDatabotError(error, "checking the analysis session");
    }
  }

  /** Copies an uploaded file into the container; returns where the code finds it. */
  async addFile(containerId: string, fileId: string): Promise<string> {
    const added = await this.openai.containers.files.create(containerId, { file_id: fileId });
    return added.path;
  }

  /**
   * Replaces the thread's container with a new one holding the same files. Returns the new state and whether
   * every file came back (a file deleted from the project in the meantime cannot).
   */
  async replace(state: ThreadState): Promise<{ state: ThreadState; filesRestored: boolean }> {
    const containerId = await this.create(state.conversationId);
    const files: ThreadFile[] = [];
    let filesRestored = true;
    for (const file of state.files) {
      try {
        files.push({ ...file, path: await this.addFile(containerId, file.id) });
      } catch (error) {
        if (statusOf(error) !== 404) throw toDatabotError(error, `restoring ${file.name}`);
        this.logger.warn({ fileId: file.id }, "a thread file is gone and could not be restored");
        filesRestored = false;
      }
    }
    this.logger.info(
      { conversationId: state.conversationId, expired: state.containerId, containerId, files: files.length },
      "replaced an expired container and restored the thread's files",
    );
    return {
      state: { ...state, containerId, files, tellModelRestarted: true },
      filesRestored,
    };
  }

  /** Deletes a container; succeeds when it is already gone. */
  async delete(containerId: string): Promise<void> {
    try {
      await this.openai.containers.delete(containerId);
    } catch (error) {
      if (statusOf(error) !== 404) throw toDatabotError(error, "deleting the analysis session");
    }
  }
}
