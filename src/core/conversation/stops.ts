/** Where the service notes what a "stop" command cancelled, for the command's own turn to report. */
export const STOPS_NAMESPACE = "core.stops";
