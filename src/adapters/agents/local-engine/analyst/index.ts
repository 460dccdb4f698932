/** The built-in offline analyst: common data questions answered with generated pandas/matplotlib code. */
export { createOfflineAnalyst } from "./offline-analyst";
export type * from "./plan";
