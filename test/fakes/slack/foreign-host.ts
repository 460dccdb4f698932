/**
 * A web server that is not Slack, recording every request it gets: a file link pointing here must never
 * receive databot's Slack token.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface ForeignRequest {
  host: string;
  path: string;
  authorization?: string;
}

export class ForeignHost {
  readonly requests: ForeignRequest[] = [];
  private readonly server = http.createServer((req, res) => {
    this.requests.push({
      host: req.headers.host ?? "",
      path: req.url ?? "",
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
    res.setHeader("content-type", "text/csv");
    res.end("region,revenue\nNorth,1\n");
  });
  origin = "";

  static async start(): Promise<ForeignHost> {
    const host = new ForeignHost();
    await new Promise<void>((resolve) => host.server.listen(0, "127.0.0.1", resolve));
    host.origin = `http://127.0.0.1:${(host.server.address() as AddressInfo).port}`;
    return host;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
