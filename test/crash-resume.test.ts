/**
 * Crash stories about the conversation core: a process that dies mid-run, a replica that restarts, a crash right
 * after posting, and a graceful stop — each turn is answered exactly once, and a run is reattached, not repeated.
 */
import { createCoreWorld, freezable, type CoreWorld } from "./support/core-harness";
import { csvAttachment, threadOf, userMessage } from "./support/messages";
import { MemorySurface } from "./support/memory-surface";

const SALES = "month,region,revenue\n2024-01,East,120\n2024-01,West,95\n2024-02,East,130\n";

let world: CoreWorld;
afterEach(async () => world.close());

test("a crash mid-run is answered exactly once by the next instance, which reattaches to the same run", async () => {
  world = createCoreWorld();
  world.backend.holdRuns();
  const crashedStore = freezable(world.store);
  const crashedSurface = freezable(new MemorySurface("cli"));
  const doomed = world.restart({ store: crashedStore.proxy, surface: crashedSurface.proxy });
  doomed.start();
  const thread = threadOf("crash");
  await doomed.receive(userMessage(thread, "long analysis", [csvAttachment("big.csv", SALES)]));
  await waitUntil(() => world.backend.runs.length === 1);
  await waitUntil(
    async () => (await world.store.unfinishedInThread(thread))[0]?.checkpoint.runId !== undefined,
  );

  // The process dies: nothing it does reaches the store or the chat any more.
  crashedStore.freeze();
  crashedSurface.freeze();
  const survivor = world.restart();
  survivor.start();
  world.backend.releaseRuns();
  await world.surface.waitForReplies(1);
  await new Promise((resolve) => setTimeout(resolve, 200));

  expect(world.backend.runs).toHaveLength(1);
  expect(world.backend.files.size).toBe(1);
  expect(world.surface.replies).toHaveLength(1);
  expect(world.surface.replies[0]!.reply.images).toHaveLength(1);
  const thread0 = world.backend.threads.get(world.backend.runs[0]!.threadId)!;
  expect(thread0.messages).toHaveLength(1);
});

test("a replica that restarts takes back its own unfinished turn at once, without waiting for the lease", async () => {
  // A lease far longer than this story: only taking the turn back can explain the answer.
  world = createCoreWorld({ settings: { leaseMs: 3600_000 } });
  world.backend.holdRuns();
  const crashedStore = freezable(world.store);
  const crashedSurface = freezable(new MemorySurface("cli"));
  const doomed = world.restart({
    store: crashedStore.proxy,
    surface: crashedSurface.proxy,
    workerId: "pod-a",
  });
  void doomed.start();
  const thread = threadOf("restarted");
  await doomed.receive(userMessage(thread, "long analysis"));
  await waitUntil(
    async () => (await world.store.unfinishedInThread(thread))[0]?.checkpoint.runId !== undefined,
  );
  crashedStore.freeze();
  crashedSurface.freeze();

  const restarted = world.restart({ workerId: "pod-a" });
  await restarted.start();
  world.backend.releaseRuns();
  await world.surface.waitForReplies(1);
  await waitUntil(async () => (await world.store.unfinishedInThread(thread)).length === 0);

  expect(world.backend.runs).toHaveLength(1);
  expect((await world.store.latestInThread(thread, "done"))?.attempts).toBe(2);
  // Another replica's start does not take it: only the replica's own turns come back at once.
  expect(await world.store.takeBack("pod-b")).toBe(0);
});

test("a crash after the reply was posted but before the turn was marked done does not post it again", async () => {
  world = createCoreWorld();
  // The process dies right after it recorded the reply as posted: it never marks the turn done.
  let dead = false;
  const dying = new Proxy(world.store, {
    get(target, prop, receiver) {
      if (prop === "finish") dead = true;
      if (dead) return () => new Promise(() => undefined);
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  const surface = new MemorySurface("cli");
  const doomed = world.restart({ store: dying, surface });
  void doomed.start();
  const thread = threadOf("posted");
  await doomed.receive(userMessage(thread, "monthly revenue"));
  await surface.waitForReplies(1);
  await waitUntil(
    async () => (await world.store.unfinishedInThread(thread))[0]?.checkpoint.posted !== undefined,
  );

  const survivor = world.restart();
  void survivor.start();
  await waitUntil(async () => (await world.store.unfinishedInThread(thread)).length === 0);

  expect(surface.replies).toHaveLength(1);
  expect(world.surface.replies).toHaveLength(0);
  expect((await world.store.latestInThread(thread, "done"))?.attempts).toBe(2);
});

test("a stop during a run leaves the turn for the next start, which resumes it", async () => {
  world = createCoreWorld();
  world.backend.holdRuns();
  world.service.start();
  const thread = threadOf("restart");
  await world.service.receive(userMessage(thread, "slow question"));
  await waitUntil(() => world.backend.runs.length === 1);

  await world.service.stop(50);
  const next = world.restart();
  next.start();
  world.backend.releaseRuns();
  await world.surface.waitForReplies(1);
  expect(world.backend.runs).toHaveLength(1);
  expect(world.surface.replies).toHaveLength(1);
});

async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
