/**
 * How the fake's operations are declared: a method, a path pattern with `{id}` segments, and a handler.
 */
import type http from "node:http";
import type { RunEngine } from "./run-engine";
import type { FakeTurn } from "./script";
import type { FakeState } from "./state";
import type { JsonObject } from "./wire";

export const WRITTEN = Symbol("written");

export interface RouteContext {
  params: string[];
  query: URLSearchParams;
  req: http.IncomingMessage;
  res: http.ServerResponse;
  /** The JSON body (an empty object when there is none). */
  body(): Promise<JsonObject>;
  /** Set when the response will be lost: handle the request, but don't stream. */
  responseLost: boolean;
}

export interface Route {
  method: string;
  pattern: RegExp;
  handle(ctx: RouteContext): Promise<unknown>;
}

/** What routes need from the fake beyond its state. */
export interface RouteDeps {
  state: FakeState;
  engine: RunEngine;
  /** The scripted turn for a new run. */
  turnFor(threadId: string): FakeTurn;
  /** Runs still being played, so the fake can wait for them before closing. */
  track(done: Promise<void>): void;
}

const ID = "([^/]+)";

/** Declares an operation; each `{id}` segment is captured into `params`. */
export function route(method: string, path: string, handle: Route["handle"]): Route {
  return { method, pattern: new RegExp(`^${path.replace(/\{id\}/g, ID)}$`), handle };
}
