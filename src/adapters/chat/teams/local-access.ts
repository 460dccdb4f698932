/**
 * Without an app id nothing proves a request came from the Bot Framework, so the endpoint serves this machine
 * only — what the Agents Playground needs: the client connects from loopback, names a loopback Host (a web
 * page cannot reach it through DNS rebinding), and its `serviceUrl` — where the answer, with what databot read
 * in the files, would be sent — is on loopback too.
 */
import { isIP } from "node:net";
import type { Request } from "express";
import { classifyAddress } from "../../outbound/addresses";

/** Why an unauthenticated request is refused, or undefined when it comes from this machine. */
export function refuseUnlessLocal(req: Request, serviceUrl: string): string | undefined {
  if (classifyAddress(req.socket.remoteAddress ?? "") !== "loopback")
    return "the client is not on this machine";
  if (!isLoopbackHost(hostName(req.headers.host ?? ""))) return "the Host header is not a loopback name";
  let service: URL;
  try {
    service = new URL(serviceUrl);
  } catch {
    return "the serviceUrl is not a URL";
  }
  if (!isLoopbackHost(service.hostname)) return "the serviceUrl is not on this machine";
  return undefined;
}

function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (bare === "localhost") return true;
  return isIP(bare) !== 0 && classifyAddress(bare) === "loopback";
}

/** The host part of a Host header (`name:port`, `[v6]:port`). */
function hostName(header: string): string {
  if (header.startsWith("[")) return header.slice(0, header.indexOf("]") + 1);
  return header.split(":")[0] ?? "";
}
