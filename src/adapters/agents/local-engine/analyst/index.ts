/** The built-in offline analyst: common data questions answered with generated pandas/matplotlib code. */
export { createOfflineAnalyst, OfflineAnalyst } from "./offline-analyst";
export { parseRequest, isGenericRequest } from "./parse/parse-request";
export { matchColumn, rankColumns } from "./parse/columns";
export { parseProfile, type DataSchema, type ColumnInfo } from "./data-schema";
export { analysisCell, loadCell } from "./python";
export type * from "./plan";
