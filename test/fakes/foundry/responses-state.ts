/**
 * What the fake holds for the new agents, in wire shape (the openai-node and @azure/ai-projects types): agent
 * versions, conversations with their items, containers with their files, and responses with every stream event
 * they emitted (for replay with `starting_after`). Rules that hold across endpoints live here: one busy response
 * per conversation (`conversation_locked`), and containers that expire after their idle time.
 */
import { ApiError, type JsonObject, newId } from "./wire";

export interface WireAgentVersion extends JsonObject {
  object: "agent.version";
  id: string;
  name: string;
  version: string;
  created_at: number;
  definition: JsonObject;
}

export interface FakeAgent {
  id: string;
  name: string;
  versions: WireAgentVersion[];
}

export interface WireItem extends JsonObject {
  id: string;
  type: string;
}

export interface FakeConversation {
  info: { id: string; object: "conversation"; created_at: number; metadata: JsonObject };
  items: WireItem[];
  /** The response busy on it, if any: another one is refused with `conversation_locked`. */
  busyWith?: string;
}

export interface ContainerFileInfo extends JsonObject {
  id: string;
  object: "container.file";
  bytes: number;
  container_id: string;
  created_at: number;
  path: string;
  source: "user" | "assistant";
}

export interface FakeContainer {
  info: {
    id: string;
    object: "container";
    name: string;
    created_at: number;
    status: "running" | "expired";
    last_active_at: number;
    expires_after: { anchor: "last_active_at"; minutes: number };
    memory_limit: string;
  };
  files: { info: ContainerFileInfo; content: Buffer; fileId?: string }[];
}

export type ResponseStatus = "queued" | "in_progress" | "completed" | "failed" | "incomplete" | "cancelled";

export interface WireResponse extends JsonObject {
  id: string;
  object: "response";
  status: ResponseStatus;
  background: boolean;
  output: WireItem[];
}

export interface StreamEvent extends JsonObject {
  type: string;
  sequence_number: number;
}

export interface FakeResponse {
  body: WireResponse;
  /** What the client sent to create it (for assertions: `stream`, `background`, `include`, `tools`). */
  request: JsonObject;
  conversationId?: string;
  containerId?: string;
  /** Every event emitted so far, in order. */
  events: StreamEvent[];
  /** Live subscribers (streaming clients); called with each new event, and with undefined at the end. */
  listeners: Set<(event: StreamEvent | undefined) => void>;
  ended: boolean;
  cancelRequested: boolean;
}

export const ENDED: ReadonlySet<string> = new Set(["completed", "failed", "incomplete", "cancelled"]);

export class ResponsesState {
  readonly agents = new Map<string, FakeAgent>();
  readonly conversations = new Map<string, FakeConversation>();
  readonly containers = new Map<string, FakeContainer>();
  readonly responses = new Map<string, FakeResponse>();
  /** Added to the wall clock: tests move time on to let containers expire. */
  clockOffsetMs = 0;

  /** The fake's notion of now, in Unix seconds. */
  now(): number {
    return Math.floor((Date.now() + this.clockOffsetMs) / 1000);
  }

  agent(name: string): FakeAgent {
    const agent = this.agents.get(name);
    if (!agent)
      throw new ApiError(404, `Agent '${name}' not found.`, "invalid_request_error", null, "not_found");
    return agent;
  }

  agentVersion(name: string, version: string): WireAgentVersion {
    const found = this.agent(name).versions.find((v) => v.version === version);
    if (!found) {
      throw new ApiError(
        404,
        `Version '${version}' of agent '${name}' not found.`,
        "invalid_request_error",
        null,
        "not_found",
      );
    }
    return found;
  }

  conversation(id: string): FakeConversation {
    const conversation = this.conversations.get(id);
    if (!conversation) {
      throw new ApiError(
        404,
        `Conversation with id '${id}' not found.`,
        "invalid_request_error",
        null,
        "not_found",
      );
    }
    return conversation;
  }

  createConversation(metadata: JsonObject): FakeConversation {
    const conversation: FakeConversation = {
      info: { id: newId("conv_", 40), object: "conversation", created_at: this.now(), metadata },
      items: [],
    };
    this.conversations.set(conversation.info.id, conversation);
    return conversation;
  }

  /** Refuses work on a conversation that a response is busy with, as the service does. */
  assertFree(conversation: FakeConversation): void {
    const busy = conversation.busyWith ? this.responses.get(conversation.busyWith) : undefined;
    if (busy && !ENDED.has(busy.body.status)) {
      throw new ApiError(
        400,
        "Another process is currently operating on this conversation. Please retry after the current operation completes.",
        "invalid_request_error",
        "conversation",
        "conversation_locked",
      );
    }
  }

  /** A container, with its status brought up to date (it expires after its idle minutes). */
  container(id: string): FakeContainer {
    const container = this.containers.get(id);
    if (!container)
      throw new ApiError(
        404,
        `No container found with id '${id}'.`,
        "invalid_request_error",
        null,
        "not_found",
      );
    const idleSeconds = this.now() - container.info.last_active_at;
    if (container.info.status === "running" && idleSeconds > container.info.expires_after.minutes * 60) {
      this.expire(container);
    }
    return container;
  }

  /** A container that must still be running to be used. */
  liveContainer(id: string, param: string | null = null): FakeContainer {
    const container = this.container(id);
    if (container.info.status === "expired") {
      throw new ApiError(400, "Container is expired.", "invalid_request_error", param, "container_expired");
    }
    return container;
  }

  /** Ends a container now: its files are gone. */
  expire(container: FakeContainer): void {
    container.info.status = "expired";
    container.files = [];
  }

  createContainer(name: string, minutes: number, memoryLimit = "1g"): FakeContainer {
    const now = this.now();
    const container: FakeContainer = {
      info: {
        id: newId("cntr_", 32),
        object: "container",
        name,
        created_at: now,
        status: "running",
        last_active_at: now,
        expires_after: { anchor: "last_active_at", minutes },
        memory_limit: memoryLimit,
      },
      files: [],
    };
    this.containers.set(container.info.id, container);
    return container;
  }

  /** Writes a file into a container at `/mnt/data/<name>` (replacing a file at the same path). */
  writeContainerFile(
    container: FakeContainer,
    name: string,
    content: Buffer,
    source: "user" | "assistant",
    fileId?: string,
  ): ContainerFileInfo {
    const path = `/mnt/data/${name}`;
    container.files = container.files.filter((f) => f.info.path !== path);
    const info: ContainerFileInfo = {
      id: newId("cfile_", 32),
      object: "container.file",
      bytes: content.length,
      container_id: container.info.id,
      created_at: this.now(),
      path,
      source,
    };
    container.files.push({ info, content, ...(fileId ? { fileId } : {}) });
    container.info.last_active_at = this.now();
    return info;
  }

  containerFile(container: FakeContainer, id: string) {
    const file = container.files.find((f) => f.info.id === id);
    if (!file)
      throw new ApiError(
        404,
        `No file found with id '${id}' in container '${container.info.id}'.`,
        "invalid_request_error",
        null,
        "not_found",
      );
    return file;
  }

  response(id: string): FakeResponse {
    const response = this.responses.get(id);
    if (!response)
      throw new ApiError(
        404,
        `Response with id '${id}' not found.`,
        "invalid_request_error",
        null,
        "not_found",
      );
    return response;
  }
}
