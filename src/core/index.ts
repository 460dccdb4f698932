export * from "./types";
export * from "./errors";
export * from "./thread-id";
export type * from "./ports";
