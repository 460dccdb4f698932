/**
 * A faithful fake of an Azure AI Foundry project on https://127.0.0.1 with a CA made at start, serving both agent
 * APIs: classic agents (the Agent Service data plane: assistants, threads, runs) and new agents (agent versions on
 * the project's `/agents` routes, and the OpenAI Responses API below `/openai/v1`: files, conversations,
 * containers, responses). Bearer token required everywhere, `api-version=v1` on the project routes, the services'
 * envelopes, real paging, one active run per thread and one busy response per conversation, streamed runs and
 * responses, scripted turns and faults on demand. Every request is recorded for assertions.
 */
import fs from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import type { AzureConfig } from "../../../src/config/azure";
import { faultError, FaultPlan, type FaultSpec, routeMatcher } from "./faults";
import { agentRoutes } from "./agent-routes";
import { OPENAI_PREFIX, openaiRoutes } from "./openai-routes";
import { ResponseEngine } from "./response-engine";
import { responseRoutes } from "./response-routes";
import { type FakeContainer, type FakeResponse, ResponsesState } from "./responses-state";
import { RunEngine } from "./run-engine";
import { type Route, WRITTEN } from "./route";
import { buildRoutes, turnContext } from "./routes";
import { defaultTurn, type FakeTurn, type TurnScript } from "./script";
import { FakeState } from "./state";
import { generateTlsMaterial } from "./tls";
import { ApiError, type JsonObject } from "./wire";

export interface FakeFoundryOptions {
  /** Port on 127.0.0.1 (default: any free one). */
  port?: number;
  /** The bearer token the fake accepts (default: a fixed test token). */
  token?: string;
  /** The deployment name databot is told to use. */
  modelDeploymentName?: string;
  /** How the model answers when no turn is queued (default: text, a chart and a CSV). */
  script?: TurnScript;
}

/** One request the fake answered. `path` is below the project endpoint, without the query. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
}

const PROJECT_PATH = "/api/projects/databot-fake";
const MAX_JSON_BYTES = 4 * 1024 * 1024;

export class FakeFoundry {
  readonly state = new FakeState();
  readonly engine = new RunEngine(this.state);
  /** The new agents' side: agent versions, conversations, containers, responses. */
  readonly responsesState = new ResponsesState();
  readonly responseEngine = new ResponseEngine(this.responsesState);
  readonly requests: RecordedRequest[] = [];
  readonly token: string;
  readonly modelDeploymentName: string;
  private readonly faults = new FaultPlan();
  private readonly queued: FakeTurn[] = [];
  private readonly playing = new Set<Promise<void>>();
  private readonly routes: Route[];
  /** Routes below `/openai/v1`, which take no api-version. */
  private readonly openaiRoutes: Route[];
  private script: TurnScript;
  private server?: https.Server;
  private tmpDir?: string;
  endpoint = "";
  caFile = "";
  caPem = "";

  constructor(options: FakeFoundryOptions = {}) {
    this.token = options.token ?? "fake-foundry-token";
    this.modelDeploymentName = options.modelDeploymentName ?? "gpt-4o-fake";
    this.script = options.script ?? defaultTurn;
    const track = (done: Promise<void>) => {
      this.playing.add(done);
      void done.finally(() => this.playing.delete(done));
    };
    this.routes = [
      ...buildRoutes({
        state: this.state,
        engine: this.engine,
        turnFor: (threadId) => this.queued.shift() ?? this.script(turnContext(this.state, threadId)),
        track,
      }),
      ...agentRoutes(this.responsesState),
    ];
    this.openaiRoutes = [
      ...openaiRoutes(this.responsesState, this.state),
      ...responseRoutes({
        state: this.responsesState,
        engine: this.responseEngine,
        turnFor: (context) => this.queued.shift() ?? this.script(context),
        track,
      }),
    ];
  }

  /** Generates the CA, writes it to a temporary file and starts listening on 127.0.0.1. */
  async start(port = 0): Promise<this> {
    const tls = generateTlsMaterial();
    this.tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-foundry-"));
    this.caFile = path.join(this.tmpDir, "ca.pem");
    fs.writeFileSync(this.caFile, tls.caPem);
    this.caPem = tls.caPem;
    this.server = https.createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            error: { message: String(error), type: "server_error", param: null, code: null },
          }),
        );
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", resolve));
    this.endpoint = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}${PROJECT_PATH}`;
    return this;
  }

  /** Settings for databot's Azure backend pointing at this fake (new agents unless `agentApi` says classic). */
  azureConfig(overrides: Partial<AzureConfig> = {}): AzureConfig {
    return {
      projectEndpoint: this.endpoint,
      modelDeploymentName: this.modelDeploymentName,
      agentApi: "responses",
      agentName: "databot",
      containerIdleMinutes: 20,
      caFile: this.caFile,
      staticToken: this.token,
      maxRetries: 3,
      ...overrides,
    };
  }

  /** The environment variables that point databot at this fake. */
  env(agentApi: "responses" | "classic" = "responses"): Record<string, string> {
    return {
      AZURE_AI_PROJECT_ENDPOINT: this.endpoint,
      AZURE_AI_MODEL_DEPLOYMENT_NAME: this.modelDeploymentName,
      AZURE_AI_AGENT_API: agentApi,
      AZURE_AI_CA_FILE: this.caFile,
      AZURE_AI_STATIC_TOKEN: this.token,
    };
  }

  /** Every response created so far, oldest first (or those on one conversation). */
  responses(conversationId?: string): FakeResponse[] {
    const all = [...this.responsesState.responses.values()];
    return conversationId === undefined ? all : all.filter((r) => r.conversationId === conversationId);
  }

  /** A container as the service holds it (its status brought up to date). */
  container(containerId: string): FakeContainer {
    return this.responsesState.container(containerId);
  }

  /** Ends a container now, as its idle time running out would: its files and variables are gone. */
  expireContainer(containerId: string): void {
    this.responsesState.expire(this.responsesState.container(containerId));
  }

  /** Moves the fake's clock on (containers expire after their idle minutes). */
  advanceClock(ms: number): void {
    this.responsesState.clockOffsetMs += ms;
  }

  /** The next run plays this turn (turns queue up in order). */
  queueTurn(turn: FakeTurn): void {
    this.queued.push(turn);
  }

  /** How runs answer when no turn is queued. */
  setScript(script: TurnScript): void {
    this.script = script;
  }

  /** Makes matching requests fail (see {@link FaultSpec}). */
  inject(fault: FaultSpec): void {
    this.faults.add(fault);
  }

  /** The service answers normally again. */
  clearFaults(): void {
    this.faults.clear();
  }

  /** Lets a held run go on (now, or as soon as it reaches its hold), or every run holding now. */
  release(runId?: string): void {
    this.engine.release(runId);
    this.responseEngine.holds.release(runId);
  }

  /** Requests matching `"METHOD /path"` (with `*` for a segment) so far. */
  requestsTo(routePattern: string): RecordedRequest[] {
    const matches = routeMatcher(routePattern);
    return this.requests.filter((r) => matches(r.method, r.path));
  }

  /** Every run ever created on a thread, oldest first (or on all threads). */
  runs(threadId?: string): JsonObject[] {
    if (threadId !== undefined) return [...(this.state.runs.get(threadId) ?? [])];
    return [...this.state.runs.values()].flat();
  }

  /** The stored bytes of a file. */
  fileContent(fileId: string): Buffer {
    return this.state.file(fileId).content;
  }

  /** Waits until every run being played reached a terminal or waiting status. */
  async settle(): Promise<void> {
    while (this.playing.size > 0) await Promise.allSettled([...this.playing]);
  }

  async close(): Promise<void> {
    this.engine.release();
    for (const run of this.runs()) this.state.cancelRequested.add(run.id as string);
    for (const response of this.responses()) this.responseEngine.cancel(response);
    await this.settle();
    if (this.server) {
      this.server.closeAllConnections();
      await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    }
    if (this.tmpDir) fs.rmSync(this.tmpDir, { recursive: true, force: true });
  }

  private async handle(req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) {
    const url = new URL(req.url ?? "/", "https://127.0.0.1");
    const method = (req.method ?? "GET").toUpperCase();
    const relative = url.pathname.startsWith(PROJECT_PATH)
      ? url.pathname.slice(PROJECT_PATH.length) || "/"
      : undefined;
    const record: RecordedRequest = {
      method,
      path: relative ?? url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
    };
    this.requests.push(record);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      if (res.headersSent) return void res.end();
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    };
    const fail = (error: ApiError) => send(error.status, error.envelope(), error.headers);

    if (relative === undefined)
      return fail(new ApiError(404, "Resource not found.", "invalid_request_error", null, "NotFound"));
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      return fail(
        new ApiError(
          401,
          "Access token is missing, invalid, audience is incorrect (https://ai.azure.com), or have expired.",
          "invalid_request_error",
          null,
          "PermissionDenied",
        ),
      );
    }
    const openai = relative === OPENAI_PREFIX || relative.startsWith(`${OPENAI_PREFIX}/`);
    const apiVersion = url.searchParams.get("api-version");
    if (!openai && apiVersion !== "v1") {
      return fail(
        new ApiError(
          400,
          apiVersion === null
            ? "Missing required query parameter: api-version."
            : `Unsupported api-version '${apiVersion}'. The supported api-versions are 'v1'.`,
          "invalid_request_error",
          "api-version",
          "BadRequest",
        ),
      );
    }

    const fault = this.faults.take(method, relative);
    if (fault?.reset) {
      record.status = -1;
      req.socket.destroy();
      return;
    }
    if (fault && !fault.loseResponse) {
      req.resume();
      return fail(faultError(fault));
    }

    const found = this.match(openai ? this.openaiRoutes : this.routes, method, relative);
    if (!found) {
      req.resume();
      return fail(
        new ApiError(
          404,
          `Unknown request URL: ${method} ${relative}.`,
          "invalid_request_error",
          null,
          "NotFound",
        ),
      );
    }
    try {
      const result = await found.route.handle({
        params: found.params,
        query: url.searchParams,
        req,
        res,
        body: () => readJson(req),
        responseLost: fault?.loseResponse === true,
      });
      if (fault?.loseResponse) return fail(faultError({ route: "", status: 500 }));
      if (result === WRITTEN) {
        record.status = res.statusCode;
        return;
      }
      send(200, result);
    } catch (error) {
      if (error instanceof ApiError) return fail(error);
      throw error;
    }
  }

  private match(
    routes: Route[],
    method: string,
    relative: string,
  ): { route: Route; params: string[] } | undefined {
    for (const route of routes) {
      if (route.method !== method) continue;
      const m = route.pattern.exec(relative);
      if (m) return { route, params: m.slice(1).map((p) => decodeURIComponent(p)) };
    }
    return undefined;
  }
}

async function readJson(req: import("node:http").IncomingMessage): Promise<JsonObject> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON_BYTES) throw new ApiError(413, "Request body too large.");
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as JsonObject;
  } catch {
    // fall through to the service's answer for a body that is not a JSON object
  }
  throw new ApiError(400, "We could not parse the JSON body of your request.");
}

/** Starts a fake Foundry project endpoint on 127.0.0.1 (see {@link FakeFoundry}). */
export function startFakeFoundry(options: FakeFoundryOptions = {}): Promise<FakeFoundry> {
  return new FakeFoundry(options).start(options.port);
}
