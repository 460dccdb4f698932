/** The Slack surface: events in (HTTP or Socket Mode), answers, progress and files out. */
export { createSlackModule, type SlackModuleOptions } from "./module";
