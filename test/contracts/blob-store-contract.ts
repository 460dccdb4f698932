/**
 * What every BlobStore does, whichever keeps the bytes: run by `test/blob-stores.test.ts` against the folder in
 * DATA_DIR and against PostgreSQL.
 */
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { BlobTooLargeError, type BlobStore } from "../../src/core/ports/blobs";

/** A deterministic stream of `size` bytes, made in small pieces (never one buffer). */
export function patternStream(size: number, seed = 1): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= size) return void this.push(null);
      const n = Math.min(64 * 1024, size - sent);
      const piece = Buffer.alloc(n);
      for (let i = 0; i < n; i++) piece[i] = ((sent + i) * seed) % 251;
      sent += n;
      this.push(piece);
    },
  });
}

async function digest(stream: Readable): Promise<{ size: number; sha: string }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    hash.update(chunk);
  }
  return { size, sha: hash.digest("hex") };
}

async function text(store: BlobStore, key: string): Promise<string | undefined> {
  const blob = await store.get(key);
  if (!blob) return undefined;
  const parts: Buffer[] = [];
  for await (const chunk of blob.stream as AsyncIterable<Buffer>) parts.push(chunk);
  return Buffer.concat(parts).toString("utf8");
}

export function blobStoreContract(name: string, open: () => Promise<BlobStore>, close: () => Promise<void>) {
  describe(`${name} blob store`, () => {
    let store: BlobStore;
    beforeAll(async () => (store = await open()));
    afterAll(() => close());

    test("a file of a few chunks goes in as a stream and comes back byte for byte, with its description", async () => {
      const size = 3 * 256 * 1024 + 12_345;
      const info = await store.put("uploads/a/big.bin", patternStream(size, 7), {
        meta: { name: "big.bin" },
      });
      expect(info).toMatchObject({ key: "uploads/a/big.bin", size, meta: { name: "big.bin" } });
      const blob = await store.get("uploads/a/big.bin");
      expect(blob?.info).toMatchObject({ size, meta: { name: "big.bin" } });
      expect(await digest(blob!.stream)).toEqual(await digest(patternStream(size, 7)));
    });

    test("an empty file is kept as an empty file", async () => {
      await store.put("uploads/a/empty.txt", Readable.from([]));
      expect(await text(store, "uploads/a/empty.txt")).toBe("");
    });

    test("a stream past its cap is refused and leaves nothing behind, not even under its key", async () => {
      await expect(
        store.put("uploads/b/too-big.bin", patternStream(600 * 1024), { maxBytes: 300 * 1024 }),
      ).rejects.toBeInstanceOf(BlobTooLargeError);
      expect(await store.head("uploads/b/too-big.bin")).toBeUndefined();
      expect(await store.list("uploads/b/")).toEqual([]);
    });

    test("a source that fails half way keeps the earlier copy whole", async () => {
      await store.put("uploads/c/report.csv", Readable.from([Buffer.from("old,copy\n")]));
      const failing = new Readable({ read() {} });
      failing.push(Buffer.alloc(300 * 1024, 1));
      setImmediate(() => failing.destroy(new Error("the network went away")));
      await expect(store.put("uploads/c/report.csv", failing)).rejects.toThrow("the network went away");
      expect(await text(store, "uploads/c/report.csv")).toBe("old,copy\n");
    });

    test("writing a key again replaces the blob; metadata can be replaced on its own", async () => {
      await store.put("spool/x", Readable.from([Buffer.from("first")]), { meta: { n: 1 } });
      await store.put("spool/x", Readable.from([Buffer.from("second")]), { meta: { n: 2 } });
      expect(await text(store, "spool/x")).toBe("second");
      expect(await store.setMeta("spool/x", { n: 3, attached: true })).toBe(true);
      expect((await store.head("spool/x"))?.meta).toEqual({ n: 3, attached: true });
      expect(await store.setMeta("spool/nothing", { n: 1 })).toBe(false);
    });

    test("a blob moves to another key with its bytes and description", async () => {
      await store.put("local/uploads/f1", Readable.from([Buffer.from("a,b\n1,2\n")]), {
        meta: { name: "d.csv" },
      });
      expect(await store.move("local/uploads/f1", "local/threads/t1/f1")).toBe(true);
      expect(await store.head("local/uploads/f1")).toBeUndefined();
      expect(await text(store, "local/threads/t1/f1")).toBe("a,b\n1,2\n");
      expect((await store.head("local/threads/t1/f1"))?.meta).toEqual({ name: "d.csv" });
      expect(await store.move("local/uploads/f1", "local/threads/t1/f2")).toBe(false);
    });

    test("listing and deleting by folder touch only that folder, whatever the names look like", async () => {
      await store.put("web/t_1/a.png", Readable.from([Buffer.from("1")]));
      await store.put("web/t_1/sub/b.csv", Readable.from([Buffer.from("22")]));
      await store.put("web/tx1/c.png", Readable.from([Buffer.from("333")]));
      const listed = await store.list("web/t_1/");
      expect(listed.map((i) => i.key).sort()).toEqual(["web/t_1/a.png", "web/t_1/sub/b.csv"]);
      expect(listed.map((i) => i.size).sort()).toEqual([1, 2]);
      expect(await store.deletePrefix("web/t_1/")).toBe(2);
      expect(await store.list("web/t_1/")).toEqual([]);
      expect((await store.list("web/")).map((i) => i.key)).toEqual(["web/tx1/c.png"]);
      await store.delete("web/tx1/c.png");
      await store.delete("web/tx1/c.png");
      expect(await store.get("web/tx1/c.png")).toBeUndefined();
    });

    test("blobs older than an age expire; younger ones and other folders stay", async () => {
      await store.put("old/one", Readable.from([Buffer.from("1")]));
      await store.put("keep/one", Readable.from([Buffer.from("1")]));
      expect(await store.expire("old/", 60_000)).toBe(0);
      expect(await store.expire("old/", 60_000, Date.now() + 120_000)).toBe(1);
      expect(await store.head("old/one")).toBeUndefined();
      expect(await store.head("keep/one")).toBeDefined();
    });

    test("keys that could reach outside the store are refused", async () => {
      await expect(store.put("../escape", Readable.from([]))).rejects.toThrow(/not a blob key/);
      expect(await store.get("a/../../etc/passwd")).toBeUndefined();
    });
  });
}
