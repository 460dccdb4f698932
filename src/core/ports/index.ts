export type * from "./agent-backend";
export type * from "./chat-surface";
export type * from "./message-sink";
export type * from "./store";
export type * from "./turn-observer";
export type * from "./inbox-stats";
export type * from "./usage";
export type * from "./retention";
