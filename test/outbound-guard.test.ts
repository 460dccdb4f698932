/**
 * The outbound guard: a link from a chat payload can never make databot reach this machine, its private
 * network or a metadata service — not directly, not through DNS, not through a redirect — and a download is
 * bounded in size and time.
 */
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { classifyAddress } from "../src/adapters/outbound/addresses";
import { OutboundError, OutboundGuard, type Resolver } from "../src/adapters/outbound/guard";
import { generateTlsMaterial } from "./fakes/foundry/tls";

/** A resolver with fixed answers, like a DNS server an attacker controls. */
const names: Record<string, string> = {
  localhost: "127.0.0.1",
  "files.example.com": "127.0.0.1",
  "intranet.example.com": "10.20.30.40",
  "metadata.example.com": "169.254.169.254",
  "mixed.example.com": "93.184.216.34",
  "rebind.example.com": "::ffff:127.0.0.1",
};
const resolve: Resolver = async (name) => {
  if (name === "mixed.example.com") {
    return [
      { address: "93.184.216.34", family: 4 },
      { address: "192.168.1.10", family: 4 },
    ];
  }
  const address = names[name];
  if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: "ENOTFOUND" });
  return [{ address, family: address.includes(":") ? 6 : 4 }];
};

let server: http.Server;
let base: string;
let hits: string[];
const BIG = Buffer.alloc(256 * 1024, 7);

beforeAll(async () => {
  hits = [];
  server = http.createServer((req, res) => {
    hits.push(req.url ?? "");
    if (req.url === "/file.csv") return res.end("a,b\n1,2\n");
    if (req.url?.startsWith("/redirect?to=")) {
      res.writeHead(302, { location: decodeURIComponent(req.url.slice("/redirect?to=".length)) });
      return res.end();
    }
    if (req.url === "/big") return res.end(BIG);
    if (req.url === "/big-undeclared") {
      res.writeHead(200, { "transfer-encoding": "chunked" });
      for (let i = 0; i < 8; i++) res.write(BIG.subarray(0, 64 * 1024));
      return res.end();
    }
    if (req.url === "/slow") {
      res.writeHead(200);
      res.write("first bytes");
      return; // and never finish
    }
    if (req.url === "/token") return res.end(String(req.headers.authorization ?? "none"));
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});

const local = () => new OutboundGuard({ local: true, resolve });
const production = () => new OutboundGuard({ local: false, resolve });
const get = (
  guard: OutboundGuard,
  url: string,
  extra: Partial<Parameters<OutboundGuard["request"]>[1]> = {},
) => guard.request(url, { maxBytes: 1024 * 1024, timeoutMs: 5000, ...extra });

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OutboundError);
  return (error as OutboundError).reason;
}

async function text(body: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

test("addresses are classified: public, loopback, and everything internal blocked (v4, v6 and v4 inside v6)", () => {
  for (const address of ["93.184.216.34", "2606:4700::1111", "8.8.8.8"])
    expect(classifyAddress(address)).toBe("public");
  for (const address of ["127.0.0.1", "127.9.9.9", "::1", "::ffff:127.0.0.1", "::ffff:7f00:1"]) {
    expect(classifyAddress(address)).toBe("loopback");
  }
  for (const address of [
    "10.0.0.1",
    "172.16.5.5",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "::",
    "fd00:ec2::254",
    "fe80::1",
    "fc00::1",
    "::ffff:10.0.0.1",
    "::ffff:a9fe:a9fe",
    "64:ff9b::a9fe:a9fe",
    "2002:c0a8:0101::1",
    "224.0.0.1",
    "not an address",
  ]) {
    expect([address, classifyAddress(address)]).toEqual([address, "blocked"]);
  }
});

test("in local mode a loopback download works, and its body streams", async () => {
  const guard = local();
  const response = await get(guard, `${base}/file.csv`);
  expect(response.status).toBe(200);
  expect(await text(response.body)).toBe("a,b\n1,2\n");
  await guard.close();
});

test("outside local mode plain http and loopback are refused before anything is sent", async () => {
  const guard = production();
  const before = hits.length;
  expect(await refusal(get(guard, `${base}/file.csv`))).toBe("scheme");
  // https to a name that resolves to loopback: refused at connect time, so no request reaches the server.
  expect(await refusal(get(guard, `https://files.example.com:${new URL(base).port}/file.csv`))).toBe(
    "address",
  );
  expect(hits.length).toBe(before);
  await guard.close();
});

test("private, link-local and metadata addresses are refused in every mode, as literals and through DNS", async () => {
  for (const guard of [local(), production()]) {
    for (const url of [
      "https://169.254.169.254/latest/meta-data/iam/",
      "https://[fd00:ec2::254]/latest/meta-data/",
      "https://10.0.0.8/file.csv",
      "https://[::ffff:a9fe:a9fe]/",
      "https://intranet.example.com/file.csv",
      "https://metadata.example.com/",
      "https://mixed.example.com/file.csv",
    ]) {
      expect([url, await refusal(get(guard, url))]).toEqual([url, "address"]);
    }
    await guard.close();
  }
});

test("every redirect is checked again: to a private address, to the metadata service, to http", async () => {
  const guard = local();
  const via = (to: string) => `${base}/redirect?to=${encodeURIComponent(to)}`;
  expect(await refusal(get(guard, via("https://intranet.example.com/x")))).toBe("address");
  expect(await refusal(get(guard, via("http://169.254.169.254/latest/meta-data/")))).toBe("scheme");
  expect(await refusal(get(guard, via("https://169.254.169.254/latest/meta-data/")))).toBe("address");
  // A redirect to an allowed place is followed.
  const followed = await get(guard, via(`${base}/file.csv`));
  expect(await text(followed.body)).toBe("a,b\n1,2\n");
  await guard.close();
});

test("an https download that redirects to http is refused", async () => {
  const tls = generateTlsMaterial();
  const secure = https.createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    res.writeHead(302, { location: `${base}/file.csv` });
    res.end();
  });
  await new Promise<void>((done) => secure.listen(0, "127.0.0.1", done));
  const guard = new OutboundGuard({ local: true, resolve, ca: tls.caPem });
  const port = (secure.address() as AddressInfo).port;
  expect(await refusal(get(guard, `https://localhost:${port}/moved`))).toBe("insecure_redirect");
  await guard.close();
  secure.closeAllConnections();
  await new Promise((done) => secure.close(done));
});

test("only the caller's hosts are reachable, and a credential goes only where the caller sends it", async () => {
  const guard = new OutboundGuard({ local: false, resolve });
  expect(await refusal(get(guard, "https://evil.example.net/x", { hosts: [".slack.com"] }))).toBe("host");
  expect(await refusal(get(guard, "https://slack.com.evil.example/x", { hosts: [".slack.com"] }))).toBe(
    "host",
  );
  expect(await refusal(get(guard, "https://user:pw@files.slack.com/x", { hosts: [".slack.com"] }))).toBe(
    "host",
  );
  await guard.close();

  const loopbackGuard = local();
  const headers = (url: URL): Record<string, string> =>
    url.port === new URL(base).port ? { authorization: "Bearer secret" } : {};
  const response = await get(loopbackGuard, `${base}/token`, { headers });
  expect(await text(response.body)).toBe("Bearer secret");
  await loopbackGuard.close();
});

test("a configured origin (an API proxy or local fake) is trusted even outside local mode", async () => {
  const guard = production();
  const response = await get(guard, `${base}/file.csv`, { trustedOrigins: [base] });
  expect(await text(response.body)).toBe("a,b\n1,2\n");
  await guard.close();
});

test("a body over the limit fails, whether its length is declared or not", async () => {
  const guard = local();
  expect(await refusal(get(guard, `${base}/big`, { maxBytes: 1000 }))).toBe("too_large");
  const undeclared = await get(guard, `${base}/big-undeclared`, { maxBytes: 100_000 });
  const error = await text(undeclared.body).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect((error as OutboundError).reason).toBe("too_large");
  await guard.close();
});

test("a download that stalls fails with a timeout instead of hanging", async () => {
  const guard = new OutboundGuard({ local: true, resolve, idleTimeoutMs: 60_000 });
  const response = await get(guard, `${base}/slow`, { timeoutMs: 300 });
  const error = await text(response.body).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect((error as OutboundError).reason).toBe("timeout");
  await guard.close();
});
