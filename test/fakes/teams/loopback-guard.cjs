/**
 * Preloaded (`node -r`) into the M365 Agents Playground when tests run it: servers bind loopback only, and any
 * connection to a non-loopback address is refused and written to $LOOPBACK_GUARD_LOG, so a test can prove the
 * Playground never tried to reach the internet (telemetry, update checks).
 */
"use strict";
const fs = require("node:fs");
const net = require("node:net");
const dns = require("node:dns");

const LOOPBACK = new Set(["localhost", "127.0.0.1", "::1", "::ffff:127.0.0.1"]);
const isLoopback = (host) => host === undefined || host === "" || LOOPBACK.has(host) || /^127\./.test(host);
const log = process.env.LOOPBACK_GUARD_LOG;

function record(what) {
  if (log) fs.appendFileSync(log, `${what}\n`);
}

function targetHost(args) {
  const [first, second] = args;
  if (Array.isArray(first)) return targetHost(first);
  if (first && typeof first === "object") return { host: first.host, path: first.path };
  if (typeof first === "string" && Number.isNaN(Number(first))) return { path: first };
  return { host: typeof second === "string" ? second : undefined };
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const { host, path } = targetHost(args);
  if (path === undefined && !isLoopback(host)) {
    record(`connect ${host}`);
    const error = new Error(`loopback guard: connection to ${host} refused`);
    process.nextTick(() => this.destroy(error));
    return this;
  }
  return connect.apply(this, args);
};

const lookup = dns.lookup;
dns.lookup = function guardedLookup(hostname, options, callback) {
  const cb = typeof options === "function" ? options : callback;
  if (!isLoopback(hostname)) {
    record(`lookup ${hostname}`);
    const error = Object.assign(new Error(`loopback guard: lookup of ${hostname} refused`), {
      code: "ENOTFOUND",
    });
    process.nextTick(() => cb(error));
    return {};
  }
  return lookup.call(this, hostname, options, callback);
};

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function loopbackListen(...args) {
  const [first, second] = args;
  if (first && typeof first === "object" && !Array.isArray(first) && first.path === undefined) {
    args[0] = { ...first, host: isLoopback(first.host) ? first.host || "127.0.0.1" : "127.0.0.1" };
  } else if ((typeof first === "number" || /^\d+$/.test(String(first))) && typeof second !== "string") {
    args.splice(1, 0, "127.0.0.1");
  } else if (typeof second === "string" && !isLoopback(second)) {
    args[1] = "127.0.0.1";
  }
  return listen.apply(this, args);
};
