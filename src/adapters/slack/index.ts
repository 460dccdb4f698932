/** The Slack surface: events in (HTTP or Socket Mode), answers, progress and files out. */
export { createSlackModule, SLACK_EVENTS_PATH, type SlackModuleOptions } from "./module";
export { parseSlackThreadId, slackThreadId, type SlackThread } from "./normalize";
