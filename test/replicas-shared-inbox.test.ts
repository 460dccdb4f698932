/**
 * Two replicas on one PostgreSQL inbox, as behind a load balancer: 200 messages over 50 threads, each delivered
 * to both replicas and then delivered again (as Slack and Teams retry): every message is answered exactly once,
 * in order within its thread, and a thread never has two runs at once.
 */
import { PostgresStore } from "../src/adapters/stores/postgres/postgres-store";
import { ConversationService } from "../src/core/conversation/service";
import { silentLogger } from "../src/core/logger";
import type { ReceiveResult } from "../src/core/ports";
import { ScriptedBackend } from "./fakes/scripted-backend";
import { TEST_SETTINGS } from "./support/core-harness";
import { MemorySurface } from "./support/memory-surface";
import { threadOf, userMessage } from "./support/messages";
import { createThrowawayDatabase, type ThrowawayDatabase } from "./support/postgres";

const THREADS = 50;
const MESSAGES = 200;

let db: ThrowawayDatabase;
beforeAll(async () => {
  db = await createThrowawayDatabase("replicas");
});
afterAll(async () => {
  await db.drop();
});

test("200 messages over 50 threads, delivered twice to each of two replicas, are each answered once and in order", async () => {
  const running = new Set<string>();
  const overlaps: string[] = [];
  // One agent service behind both replicas, as the cloud is; each run takes a few loop turns.
  const backend = new ScriptedBackend({
    script: async ({ threadId, messages }) => {
      if (running.has(threadId)) overlaps.push(threadId);
      running.add(threadId);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
      running.delete(threadId);
      const question = messages.at(-1)?.text ?? "";
      return { text: `answer to ${question}`, images: [], files: [], code: [], notices: [] };
    },
  });
  const posted: { replica: string; threadId: string; text: string }[] = [];
  const stores = [await PostgresStore.open({ url: db.url }), await PostgresStore.open({ url: db.url })];
  const services = stores.map((store, index) => {
    const surface = new MemorySurface("cli");
    const post = surface.postReply.bind(surface);
    surface.postReply = async (message, reply) => {
      await post(message, reply);
      posted.push({ replica: `replica-${index}`, threadId: message.threadId, text: reply.text });
    };
    return new ConversationService({
      store,
      backend: index === 0 ? backend : backend.restarted(),
      surfaces: [surface],
      logger: silentLogger,
      workerId: `replica-${index}`,
      settings: TEST_SETTINGS,
    });
  });
  try {
    await Promise.all(services.map((service) => service.start()));
    const messages = Array.from({ length: MESSAGES }, (_, n) =>
      userMessage(threadOf(`t${n % THREADS}`), `question ${n}`, [], { id: `m${n}` }),
    );
    const results: ReceiveResult[][] = messages.map(() => []);
    for (const [n, message] of messages.entries()) {
      results[n]!.push(...(await Promise.all(services.map((service) => service.receive(message)))));
    }
    for (const [n, message] of messages.entries()) {
      results[n]!.push(...(await Promise.all(services.map((service) => service.receive(message)))));
    }
    for (const deliveries of results) {
      expect(deliveries.filter((r) => r.status === "accepted")).toHaveLength(1);
    }

    const deadline = Date.now() + 60_000;
    while (posted.length < MESSAGES && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // A moment more, so a second answer to any message would have been posted too.
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(posted.map((p) => p.text).sort()).toEqual(messages.map((m) => `answer to ${m.text}`).sort());
    for (let t = 0; t < THREADS; t += 1) {
      const thread = threadOf(`t${t}`);
      const asked = messages.filter((m) => m.threadId === thread).map((m) => `answer to ${m.text}`);
      expect(posted.filter((p) => p.threadId === thread).map((p) => p.text)).toEqual(asked);
    }
    expect(overlaps).toEqual([]);
    // Both replicas did part of the work.
    expect(new Set(posted.map((p) => p.replica)).size).toBe(2);
  } finally {
    backend.releaseRuns();
    await Promise.all(services.map((service) => service.stop(1000)));
    await Promise.all(stores.map((store) => store.close()));
  }
});
