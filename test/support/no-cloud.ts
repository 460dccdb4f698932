/**
 * Runs before every test file: tests reach loopback only. A connection to anywhere else (a cloud endpoint, the
 * managed-identity address 169.254.169.254 that a credential chain probes) throws, so a test that tries fails
 * loudly instead of hanging or leaking a request.
 */
import net from "node:net";

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "::1", "::ffff:127.0.0.1"]);

function isLoopback(host: string | undefined): boolean {
  if (host === undefined || host === "") return true; // Node defaults to localhost
  return LOOPBACK_NAMES.has(host) || /^127\./.test(host);
}

function targetHost(args: unknown[]): { host?: string; path?: string } {
  const [first, second] = args;
  if (Array.isArray(first)) return targetHost(first);
  if (typeof first === "object" && first !== null) {
    const o = first as { host?: string; path?: string };
    return { host: o.host, path: o.path };
  }
  if (typeof first === "string" && Number.isNaN(Number(first))) return { path: first };
  return { host: typeof second === "string" ? second : undefined };
}

const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  const { host, path } = targetHost(args);
  if (path === undefined && !isLoopback(host)) {
    throw new Error(`Tests may only connect to loopback; something tried ${host}`);
  }
  return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;

// The Azure SDK's credential chain reads these; make sure nothing inherited from the shell points it anywhere.
for (const name of [
  "AZURE_CLIENT_ID",
  "AZURE_TENANT_ID",
  "AZURE_CLIENT_SECRET",
  "IDENTITY_ENDPOINT",
  "MSI_ENDPOINT",
]) {
  delete process.env[name];
}
