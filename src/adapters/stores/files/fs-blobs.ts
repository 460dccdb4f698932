/**
 * Blobs as files under one folder (the single-process default, in `DATA_DIR`): a key is a relative path, its
 * description sits beside it in `<key>.~meta`, and a copy being written is `<key>.~part-<random>` until it is
 * complete, so a reader never sees half a file. `~` cannot appear in a key, so neither kind of name collides
 * with one. Files written before descriptions existed are still read (their time is the file's).
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  isBlobKey,
  isBlobPrefix,
  type BlobInfo,
  type BlobStore,
  type OpenedBlob,
  type PutBlobOptions,
  UNFINISHED_COPY_MS,
} from "../../../core/ports/blobs";
import type { JsonObject } from "../../../core/types";
import { cappedSource } from "./size-cap";

const META = ".~meta";
const PART = ".~part-";
/** Blobs are private to the account databot runs as. */
const PRIVATE_DIR = { recursive: true, mode: 0o700 } as const;

interface Sidecar {
  size: number;
  createdAt: number;
  meta: JsonObject;
}

export class FsBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  async put(key: string, source: Readable, options: PutBlobOptions = {}): Promise<BlobInfo> {
    const target = this.pathOf(key);
    const counter = cappedSource(source, options.maxBytes);
    const part = `${target}${PART}${randomUUID()}`;
    try {
      await fsp.mkdir(path.dirname(target), PRIVATE_DIR);
      await pipeline(counter, fs.createWriteStream(part, { flags: "wx", mode: 0o600 }), {
        signal: options.signal,
      });
      const info: BlobInfo = { key, size: counter.bytes, createdAt: Date.now(), meta: options.meta ?? {} };
      await this.writeSidecar(key, info);
      await fsp.rename(part, target);
      return info;
    } catch (error) {
      counter.destroy();
      source.destroy();
      await fsp.rm(part, { force: true });
      throw error;
    }
  }

  async get(key: string): Promise<OpenedBlob | undefined> {
    const info = await this.head(key);
    if (!info) return undefined;
    try {
      const handle = await fsp.open(this.pathOf(key), "r");
      return { info, stream: handle.createReadStream() };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }

  async head(key: string): Promise<BlobInfo | undefined> {
    if (!isBlobKey(key)) return undefined;
    const file = this.pathOf(key);
    const stat = await fsp.stat(file).catch(missingAs(undefined));
    if (!stat?.isFile()) return undefined;
    const sidecar = await fsp
      .readFile(`${file}${META}`, "utf8")
      .then((text) => JSON.parse(text) as Sidecar)
      .catch(() => undefined);
    return { key, size: stat.size, createdAt: sidecar?.createdAt ?? stat.mtimeMs, meta: sidecar?.meta ?? {} };
  }

  async setMeta(key: string, meta: JsonObject): Promise<boolean> {
    const info = await this.head(key);
    if (!info) return false;
    await this.writeSidecar(key, { ...info, meta });
    return true;
  }

  async move(from: string, to: string): Promise<boolean> {
    if (!(await this.head(from))) return false;
    const target = this.pathOf(to);
    await fsp.mkdir(path.dirname(target), PRIVATE_DIR);
    await fsp.rename(this.pathOf(from), target);
    await fsp.rename(`${this.pathOf(from)}${META}`, `${target}${META}`).catch(missingAs(undefined));
    return true;
  }

  async delete(key: string): Promise<void> {
    if (!isBlobKey(key)) return;
    const file = this.pathOf(key);
    await fsp.rm(file, { force: true });
    await fsp.rm(`${file}${META}`, { force: true });
  }

  async list(prefix: string): Promise<BlobInfo[]> {
    const infos: BlobInfo[] = [];
    for (const key of await this.keysUnder(prefix)) {
      const info = await this.head(key);
      if (info) infos.push(info);
    }
    return infos;
  }

  async deletePrefix(prefix: string): Promise<number> {
    const keys = await this.keysUnder(prefix);
    await fsp.rm(this.pathOf(prefix.slice(0, -1)), { recursive: true, force: true });
    return keys.length;
  }

  async expire(prefix: string, olderThanMs: number, now = Date.now()): Promise<number> {
    let removed = 0;
    for (const info of await this.list(prefix)) {
      if (now - info.createdAt > olderThanMs) {
        await this.delete(info.key);
        removed += 1;
      }
    }
    // Copies cut off by a crash, and descriptions whose blob is gone.
    for (const file of await this.filesUnder(prefix)) {
      const leftover =
        file.includes(PART) || (file.endsWith(META) && !fs.existsSync(file.slice(0, -META.length)));
      if (!leftover) continue;
      const stat = await fsp.stat(file).catch(missingAs(undefined));
      const limit = Math.min(olderThanMs, UNFINISHED_COPY_MS);
      if (stat && now - stat.mtimeMs > limit) await fsp.rm(file, { force: true });
    }
    return removed;
  }

  private async writeSidecar(key: string, info: BlobInfo): Promise<void> {
    const file = `${this.pathOf(key)}${META}`;
    const temp = `${file}${PART}${randomUUID()}`;
    const sidecar: Sidecar = { size: info.size, createdAt: info.createdAt, meta: info.meta };
    await fsp.writeFile(temp, JSON.stringify(sidecar), { mode: 0o600 });
    await fsp.rename(temp, file);
  }

  private async keysUnder(prefix: string): Promise<string[]> {
    return (await this.filesUnder(prefix))
      .filter((file) => !file.includes(PART) && !file.endsWith(META))
      .map((file) => path.relative(this.root, file).split(path.sep).join("/"));
  }

  /** Every file under the prefix's folder, leftovers included. */
  private async filesUnder(prefix: string): Promise<string[]> {
    if (!isBlobPrefix(prefix)) throw new Error(`not a blob prefix: ${JSON.stringify(prefix.slice(0, 80))}`);
    const dir = this.pathOf(prefix.slice(0, -1));
    const entries = await fsp.readdir(dir, { recursive: true, withFileTypes: true }).catch(missingAs([]));
    return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
  }

  private pathOf(key: string): string {
    if (!isBlobKey(key)) throw new Error(`not a blob key: ${JSON.stringify(key.slice(0, 80))}`);
    return path.join(this.root, ...key.split("/"));
  }
}

/** Treats a missing file as `value`; rethrows anything else. */
function missingAs<T>(value: T): (error: unknown) => T {
  return (error) => {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return value;
    throw error;
  };
}
