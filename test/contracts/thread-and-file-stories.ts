/** The contract's stories about threads and files: ensuring, losing and expiring threads; uploads. */
import { Readable } from "node:stream";
import { DatabotError, ErrorCode } from "../../src/core/errors";
import { RecordingObserver, uploadText, watchedSource } from "./contract-helpers";
import { type ContractKit, refusedWith } from "./contract-kit";

const SALES = "region,revenue\nEast,120\nWest,95\n";
const COSTS = "region,cost\nEast,70\nWest,60\n";

export function threadAndFileStories(kit: ContractKit): void {
  describe("threads", () => {
    kit.contract("new-thread", "ensureThread without an id makes a new thread each time", async () => {
      const first = await kit.backend.ensureThread(undefined);
      const second = await kit.backend.ensureThread(undefined);
      expect(first.id).toEqual(expect.any(String));
      expect(second.id).not.toBe(first.id);
      expect(first.replacedExpired).toBeUndefined();
    });

    kit.contract(
      "existing-thread",
      "an existing thread is kept: by the next instance after a restart, and after a question",
      async () => {
        const { id } = await kit.backend.ensureThread(undefined);
        await kit.world.restart();
        expect(await kit.backend.ensureThread(id)).toEqual({ id });
        const q = kit.question();
        await kit.backend.addMessage(id, { text: q.text, files: [] });
        await kit.backend.run(id, new RecordingObserver());
        expect(await kit.backend.ensureThread(id)).toEqual({ id });
      },
    );

    kit.contract("lost-thread", "a thread the service lost is replaced, and the caller is told", async () => {
      const { id } = await kit.backend.ensureThread(undefined);
      await kit.world.loseThread(id);
      const replaced = await kit.backend.ensureThread(id);
      expect(replaced.id).not.toBe(id);
      expect(replaced.replacedExpired).toBe(true);
      expect(replaced.filesRestored).toBeFalsy();
      const q = kit.question();
      await kit.backend.addMessage(replaced.id, { text: q.text, files: [] });
      expect((await kit.backend.run(replaced.id, new RecordingObserver())).text).toBe(q.answer.text);
    });

    kit.contract(
      "expiry",
      `after the session expires (${kit.subject.expiry.means}), the next ensureThread says so once`,
      async () => {
        const q = kit.question();
        const id = await kit.threadAsking(q, [await uploadText(kit.backend, "sales.csv", SALES)]);
        await kit.backend.run(id, new RecordingObserver());
        await kit.world.expire(id);
        const ensured = await kit.backend.ensureThread(id);
        if (kit.subject.expiry.kind === "new-thread") {
          expect(ensured.id).not.toBe(id);
          expect(ensured.replacedExpired).toBe(true);
          expect(ensured.filesRestored).toBeFalsy();
          return;
        }
        expect(ensured).toEqual({ id, replacedExpired: true, filesRestored: true });
        const next = kit.question();
        await kit.backend.addMessage(id, { text: next.text, files: [] });
        const output = await kit.backend.run(id, new RecordingObserver());
        expect(output.text).toBe(next.answer.text);
        expect(output.sessionRestarted).toBeUndefined(); // told already, by ensureThread
        expect(kit.world.filesSeen(next.key)).toContainEqual({ name: "sales.csv", content: SALES });
        expect(await kit.backend.ensureThread(id)).toEqual({ id });
      },
    );
  });

  describe("files", () => {
    kit.contract(
      "streamed-upload",
      "an upload is streamed: bytes arrive before the source has sent them all",
      async () => {
        const chunkBytes = 128 * 1024;
        const chunks = 16;
        const before = await kit.world.uploadBytesReceived();
        const source = await watchedSource(() => kit.world.uploadBytesReceived(), { chunkBytes, chunks });
        const file = await kit.backend.uploadFile({
          name: "big.csv",
          mimeType: "text/csv",
          stream: source.stream,
        });
        expect(file).toMatchObject({ id: expect.any(String), name: "big.csv", mimeType: "text/csv" });
        expect(source.receivedMidway()).toBeGreaterThan(0);
        expect(source.receivedMidway()).toBeLessThan(chunkBytes * chunks);
        expect((await kit.world.uploadBytesReceived()) - before).toBe(chunkBytes * chunks);
      },
    );

    kit.contract(
      "upload-in-message",
      "files uploaded and attached to a message are what the analysis reads",
      async () => {
        const files = [
          await uploadText(kit.backend, "sales.csv", SALES),
          await uploadText(kit.backend, "costs.csv", COSTS),
        ];
        const q = kit.question();
        const id = await kit.threadAsking(q, files);
        expect((await kit.backend.run(id, new RecordingObserver())).text).toBe(q.answer.text);
        const seen = kit.world.filesSeen(q.key);
        expect(seen).toContainEqual({ name: "sales.csv", content: SALES });
        expect(seen).toContainEqual({ name: "costs.csv", content: COSTS });
      },
    );

    kit.contract(
      "upload-source-failure",
      "a download that fails midway refuses the file as attachment_unavailable; the stream's own refusal is passed on",
      async () => {
        const failing = (error: Error) => {
          let sent = 0;
          return new Readable({
            read() {
              if (sent++ < 2) this.push(Buffer.alloc(64 * 1024, "1,2\n"));
              else this.destroy(error);
            },
          });
        };
        const broken = kit.backend.uploadFile({
          name: "broken.csv",
          mimeType: "text/csv",
          stream: failing(new Error("socket hang up")),
        });
        await expect(broken).rejects.toEqual(refusedWith(ErrorCode.AttachmentUnavailable));
        await expect(broken).rejects.toMatchObject({ userMessage: expect.stringContaining("broken.csv") });
        const tooBig = new DatabotError(
          ErrorCode.FileRefused,
          "huge.csv is larger than the 1 MB databot accepts.",
        );
        await expect(
          kit.backend.uploadFile({ name: "huge.csv", mimeType: "text/csv", stream: failing(tooBig) }),
        ).rejects.toBe(tooBig);
      },
    );
  });
}
