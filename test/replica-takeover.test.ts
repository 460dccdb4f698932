/**
 * A replica killed in the middle of a turn (SIGKILL, as a crashed pod): the turn is answered exactly once —
 * at once by the same replica when it comes back (it knows the turn was its own), or by another replica once
 * the dead one's lease lapses. The run on the agent service goes on meanwhile and is reattached, not repeated.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PostgresStore } from "../src/adapters/stores/postgres/postgres-store";
import { FakeFoundry, startFakeFoundry } from "./fakes/foundry";
import { waitUntil } from "./support/azure-responses-world";
import { threadOf, userMessage } from "./support/messages";
import { createThrowawayDatabase, type ThrowawayDatabase } from "./support/postgres";
import { postedLines, startReplica, type ReplicaProcess } from "./support/replicas";

const DAY = 24 * 3600_000;
let fake: FakeFoundry;
let db: ThrowawayDatabase;
let store: PostgresStore;
let dir: string;
let repliesFile: string;
const replicas: ReplicaProcess[] = [];

beforeAll(async () => {
  fake = await startFakeFoundry();
  // Every run stays in progress until the story releases it: the replica dies while it waits.
  fake.setScript(() => ({ text: "Revenue grew 4% in March.", hold: true }));
  db = await createThrowawayDatabase("takeover");
  store = await PostgresStore.open({ url: db.url });
});

afterAll(async () => {
  await store?.close();
  await fake?.close();
  await db?.drop();
});

afterEach(async () => {
  // Each story's replicas go with it: a leftover replica would take the next story's turns.
  await Promise.all(replicas.splice(0).map((r) => r.kill()));
});

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "databot-takeover-"));
  repliesFile = path.join(dir, "replies.jsonl");
});

async function replica(id: string, leaseSeconds: number): Promise<ReplicaProcess> {
  const started = await startReplica(id, {
    ...fake.env("classic"),
    DATABASE_URL: db.url,
    DATA_DIR: path.join(dir, id),
    REPLICA_REPLIES_FILE: repliesFile,
    TURN_LEASE_SECONDS: String(leaseSeconds),
    REPLICA_LOG_FILE: path.join(dir, `${id}.log`),
  });
  replicas.push(started);
  return started;
}

/** Asks in a new thread; resolves with the item once a replica has started its run on the agent service. */
async function askAndWaitForRun(thread: string) {
  const message = userMessage(threadOf(thread), "How did revenue change in March?", [], {
    id: `${thread}-q1`,
  });
  const queued = await store.enqueue(message, DAY);
  if (!queued.accepted) throw new Error("not accepted");
  await waitUntil(async () => (await store.getItem(queued.seq))?.checkpoint.runId !== undefined, 30_000);
  const item = (await store.getItem(queued.seq))!;
  return { seq: queued.seq, message, runId: item.checkpoint.runId! };
}

test("a replica that comes back after kill -9 takes back its own turn at once and answers it once", async () => {
  // An hour-long lease: only taking the turn back (not a lapsed lease) can explain an answer in this story.
  const first = await replica("replica-a", 3600);
  const { seq, message, runId } = await askAndWaitForRun("restarted");
  await first.kill();

  await replica("replica-a", 3600);
  await waitUntil(async () => (await store.getItem(seq))!.attempts === 2, 30_000);
  fake.release(runId);
  await waitUntil(async () => (await store.getItem(seq))!.status === "done", 30_000);

  const posted = postedLines(repliesFile).filter((line) => line.messageId === message.id);
  expect(posted).toEqual([
    expect.objectContaining({ replica: "replica-a", text: expect.stringContaining("4%") }),
  ]);
  // The run that was in progress when the replica died was reattached, not started again.
  const agentThreadId = (await store.getItem(seq))!.checkpoint.agentThreadId!;
  expect(fake.runs(agentThreadId).map((run) => run.id)).toEqual([runId]);
});

test("when the killed replica does not come back, another one takes the turn over once the lease lapses", async () => {
  const doomed = await replica("replica-a", 3);
  const { seq, message, runId } = await askAndWaitForRun("orphaned");
  const survivor = await replica("replica-b", 3);
  await doomed.kill();

  await waitUntil(async () => (await store.getItem(seq))!.attempts === 2, 30_000);
  fake.release(runId);
  await waitUntil(async () => (await store.getItem(seq))!.status === "done", 30_000);

  const posted = postedLines(repliesFile).filter((line) => line.messageId === message.id);
  expect(posted).toEqual([
    expect.objectContaining({ replica: survivor.id, text: expect.stringContaining("4%") }),
  ]);
});
