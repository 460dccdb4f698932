/**
 * A tiny loopback HTTP server for the Teams fakes: an Express app on 127.0.0.1 with a free port, over TLS when
 * given a key and certificate.
 */
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import express, { type Express } from "express";

export interface FakeServer {
  app: Express;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Starts `configure`'s routes on 127.0.0.1 (or another loopback address) with a free port. */
export async function startFakeServer(
  configure: (app: Express) => void,
  host = "127.0.0.1",
  tls?: { keyPem: string; certPem: string },
): Promise<FakeServer> {
  const app = express();
  app.disable("x-powered-by");
  configure(app);
  const server = tls
    ? https.createServer({ key: tls.keyPem, cert: tls.certPem }, app)
    : http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    app,
    url: `${tls ? "https" : "http"}://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
