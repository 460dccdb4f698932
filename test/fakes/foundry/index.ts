export { FakeFoundry, startFakeFoundry } from "./server";
export type { FakeTurn } from "./script";
export { barChartPng } from "./png";
