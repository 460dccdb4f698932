/**
 * Runs Microsoft's M365 Agents Playground (the Teams emulator that ships as `@microsoft/m365agentsplayground`)
 * headless against a local bot, and talks to it the way its web client does: the config and custom-activity
 * endpoints, the conversation endpoint, and the conversation WebSocket where the bot's messages appear.
 *
 * It never reaches the internet: telemetry is off (`--dt`, no statsbeat), and a preloaded guard binds its
 * servers to loopback and refuses (and records) any connection elsewhere.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import WebSocket from "ws";

const CLI = require.resolve("@microsoft/m365agentsplayground/cli.js");
const GUARD = path.join(__dirname, "loopback-guard.cjs");

export interface PlaygroundMessage {
  action: "createMessage" | "updateMessage" | "typing";
  actionConversationId: string;
  message?: {
    messageId: string;
    from: { id: string };
    text?: string;
    attachments: { contentType: string; content?: unknown }[];
  };
}

export interface PlaygroundConfig {
  tenantId: string;
  bot: { id: string; name: string };
  currentUser: { id: string; name: string; aadObjectId: string };
  personalChat: { id: string };
  groupChats: { id: string }[];
  teams: { id: string; aadGroupId: string; channels: { id: string }[] }[];
}

export class Playground {
  readonly events: PlaygroundMessage[] = [];
  private child?: ChildProcess;
  private socket?: WebSocket;
  private output = "";
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "databot-playground-"));
  readonly guardLog = path.join(this.dir, "blocked-connections.log");
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the Playground pointed at `botEndpoint` and connects to its conversation stream. */
  async start(botEndpoint: string): Promise<this> {
    this.port = await freePort();
    this.child = spawn(
      process.execPath,
      ["-r", GUARD, CLI, "-e", botEndpoint, "-c", "msteams", "--dt", "-p", String(this.port)],
      {
        cwd: this.dir, // its log and any config file stay out of the repository
        env: {
          PATH: process.env.PATH,
          HOME: this.dir,
          TEAMSAPPTESTER_BROWSER: "none",
          LOOPBACK_GUARD_LOG: this.guardLog,
          APPLICATION_INSIGHTS_NO_STATSBEAT: "true",
          M365_AGENTS_PLAYGROUND_LOGFILE: path.join(this.dir, "playground.log"),
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const collect = (chunk: Buffer) => (this.output += chunk.toString());
    this.child.stdout!.on("data", collect);
    this.child.stderr!.on("data", collect);
    await this.waitFor(
      () => this.output.includes(`Listening on ${this.port}`),
      30_000,
      "the Playground to listen",
    );
    this.socket = new WebSocket(`ws://127.0.0.1:${this.port}/_ws_conversation/v1/conversations/stream`);
    this.socket.on("message", (data) => this.events.push(JSON.parse(data.toString()) as PlaygroundMessage));
    await new Promise<void>((resolve, reject) => {
      this.socket!.once("open", () => resolve());
      this.socket!.once("error", reject);
    });
    return this;
  }

  async stop(): Promise<void> {
    this.socket?.close();
    if (this.child && this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child!.once("exit", resolve));
      this.child.kill("SIGTERM");
      await exited;
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  async config(): Promise<PlaygroundConfig> {
    const response = await fetch(`${this.url}/_internal/v1/config`);
    return ((await response.json()) as { config: PlaygroundConfig }).config;
  }

  /** An activity template for a conversation, with the Playground's own serviceUrl. */
  async template(conversationId: string): Promise<Record<string, unknown>> {
    const response = await fetch(
      `${this.url}/_internal/v1/customActivities/template?conversationId=${encodeURIComponent(conversationId)}`,
    );
    if (!response.ok) throw new Error(`template: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as Record<string, unknown>;
  }

  /** Sends a raw activity to the bot through the Playground. */
  async sendCustomActivity(activity: Record<string, unknown>): Promise<void> {
    const response = await fetch(`${this.url}/_internal/v1/customActivities`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(activity),
    });
    if (!response.ok) throw new Error(`customActivities: HTTP ${response.status} ${await response.text()}`);
  }

  /** Types a message into a conversation as the Playground's current user. */
  async say(conversationId: string, userId: string, text: string): Promise<void> {
    const response = await fetch(
      `${this.url}/_conversation/v1/conversations/${encodeURIComponent(conversationId)}/messages`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ from: { id: userId }, text, textFormat: "plain" }),
      },
    );
    if (!response.ok) throw new Error(`messages: HTTP ${response.status} ${await response.text()}`);
  }

  /** Resolves with the first conversation event that matches. */
  waitForEvent(
    predicate: (event: PlaygroundMessage) => boolean,
    timeoutMs = 30_000,
  ): Promise<PlaygroundMessage> {
    return this.waitFor(() => this.events.find(predicate), timeoutMs, "a matching Playground message");
  }

  /** Connections the guard refused (there should be none). */
  blockedConnections(): string[] {
    return fs.existsSync(this.guardLog)
      ? fs.readFileSync(this.guardLog, "utf8").trim().split("\n").filter(Boolean)
      : [];
  }

  /** The Playground's own log, which records the requests the bot made to its connector. */
  requestLog(): string {
    const file = path.join(this.dir, "playground.log");
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  }

  /** What the Playground printed (for failure messages). */
  get log(): string {
    return this.output;
  }

  private waitFor<T>(probe: () => T | undefined | false, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const tick = () => {
        const value = probe();
        if (value) return resolve(value);
        if (this.child?.exitCode !== null && this.child?.exitCode !== undefined) {
          return reject(new Error(`the Playground exited (${this.child.exitCode}):\n${this.output}`));
        }
        if (Date.now() - started > timeoutMs)
          return reject(new Error(`timed out waiting for ${what}:\n${this.output.slice(-2000)}`));
        setTimeout(tick, 50);
      };
      tick();
    });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
