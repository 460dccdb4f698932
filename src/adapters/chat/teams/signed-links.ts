/**
 * Short-lived download links for generated files in channels and group chats when Graph is not configured:
 * `PUBLIC_BASE_URL/teams/files/<id>/<name>?exp=<unix seconds>&sig=<HMAC-SHA256>`. The key is random, kept in
 * the store so every replica sharing it accepts the same links.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { pipeline } from "node:stream/promises";
import type { Request, Response } from "express";
import type { KeyValueSpace } from "../../../core/ports";
import type { Logger } from "../../../core/logger";
import type { FileSpool } from "./file-spool";

export const DOWNLOAD_ROUTE = "/teams/files/:id/:name";

export class LinkSigner {
  constructor(private readonly key: Buffer) {}

  /** Loads the signing key from the store, creating it the first time. */
  static async fromStore(keys: KeyValueSpace): Promise<LinkSigner> {
    const existing = await keys.get<string>("link-signing-key");
    if (existing) return new LinkSigner(Buffer.from(existing, "base64"));
    const key = randomBytes(32);
    await keys.put("link-signing-key", key.toString("base64"));
    return new LinkSigner(key);
  }

  /** A link to a spooled file valid until `expiresAt` (ms). */
  link(baseUrl: string, id: string, name: string, expiresAt: number): string {
    const exp = Math.floor(expiresAt / 1000);
    const sig = this.signature(id, name, exp);
    return `${baseUrl}/teams/files/${id}/${encodeURIComponent(name)}?exp=${exp}&sig=${sig}`;
  }

  /** True when the signature matches and the link has not expired. */
  verify(id: string, name: string, exp: number, sig: string, now = Date.now()): boolean {
    if (!Number.isInteger(exp) || exp * 1000 < now) return false;
    const expected = Buffer.from(this.signature(id, name, exp));
    const given = Buffer.from(sig);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private signature(id: string, name: string, exp: number): string {
    return createHmac("sha256", this.key).update(`${id}\n${name}\n${exp}`).digest("base64url");
  }
}

/** Serves a signed link: streams the spooled file, or 403/404 without saying which part was wrong. */
export function downloadHandler(signer: () => Promise<LinkSigner>, spool: FileSpool, logger: Logger) {
  return async (req: Request, res: Response): Promise<void> => {
    const id = String(req.params.id ?? "");
    const name = String(req.params.name ?? "");
    const exp = Number(req.query.exp);
    const sig = typeof req.query.sig === "string" ? req.query.sig : "";
    if (!(await signer()).verify(id, name, exp, sig)) {
      res.status(403).type("text/plain").send("This download link is invalid or has expired.");
      return;
    }
    const file = await spool.get(id);
    if (!file || file.name !== name) {
      res.status(404).type("text/plain").send("This file is no longer available.");
      return;
    }
    // Never rendered by a browser, whatever the analysis made (an .html or .svg file included).
    res.setHeader("content-type", "application/octet-stream");
    res.setHeader("content-length", String(file.size));
    res.setHeader("content-disposition", `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`);
    res.setHeader("x-content-type-options", "nosniff");
    res.setHeader("cache-control", "private, no-store");
    try {
      await pipeline(await file.open(), res);
    } catch (error) {
      logger.warn({ err: error }, "download of a spooled file failed");
      res.destroy(error as Error);
    }
  };
}
