export { FakeFoundry, startFakeFoundry, type FakeFoundryOptions, type RecordedRequest } from "./server";
export type { FaultSpec } from "./faults";
export type { FakeContainer, FakeConversation, FakeResponse } from "./responses-state";
export {
  defaultTurn,
  type FakeCodeCall,
  type FakeOutputFile,
  type FakeRunEnd,
  type FakeTurn,
  type TurnContext,
  type TurnScript,
} from "./script";
export { barChartPng, encodePng } from "./png";
