/**
 * The fake Foundry Agents service behaves like the real one on the wire: TLS with its own CA, bearer token and
 * api-version required, the error envelope, list envelopes with real cursor paging, one active run per thread,
 * the SSE stream of a run, multipart uploads and exact file content.
 */
import https from "node:https";
import { type FakeFoundry, startFakeFoundry } from "./fakes/foundry";

let fake: FakeFoundry;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json(): any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

function call(
  method: string,
  path: string,
  options: {
    body?: unknown;
    raw?: Buffer;
    contentType?: string;
    token?: string | null;
    apiVersion?: string | null;
  } = {},
): Promise<Answer> {
  const url = new URL(fake.endpoint + path);
  const apiVersion = options.apiVersion === undefined ? "v1" : options.apiVersion;
  if (apiVersion !== null) url.searchParams.set("api-version", apiVersion);
  const token = options.token === undefined ? fake.token : options.token;
  const payload =
    options.raw ?? (options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body)));
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method,
        ca: fake.caPem,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(payload ? { "content-type": options.contentType ?? "application/json" } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode!,
            headers: res.headers,
            body,
            json: () => JSON.parse(body.toString()),
          });
        });
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

beforeEach(async () => {
  fake = await startFakeFoundry();
});

afterEach(() => fake.close());

test("requests need the bearer token and api-version=v1, and errors come in the service's envelope", async () => {
  const noToken = await call("GET", "/threads", { token: null });
  expect(noToken.status).toBe(401);
  expect(noToken.json().error).toMatchObject({
    code: "PermissionDenied",
    message: expect.stringMatching(/token/),
  });
  const noVersion = await call("GET", "/threads", { apiVersion: null });
  expect(noVersion.status).toBe(400);
  expect(Object.keys(noVersion.json().error).sort()).toEqual(["code", "message", "param", "type"]);
  expect((await call("GET", "/threads", { apiVersion: "2025-05-01" })).status).toBe(400);
  const missing = await call("GET", "/threads/thread_nope");
  expect(missing.status).toBe(404);
  expect(missing.json()).toEqual({
    error: {
      message: "No thread found with id 'thread_nope'.",
      type: "invalid_request_error",
      param: null,
      code: null,
    },
  });
});

test("lists page by cursor: limit, order, after and before, with has_more, first_id and last_id", async () => {
  const ids: string[] = [];
  for (let i = 0; i < 7; i++) ids.push((await call("POST", "/threads", { body: {} })).json().id);
  const first = (await call("GET", "/threads?limit=3&order=asc")).json();
  expect(first).toEqual({
    object: "list",
    data: expect.any(Array),
    first_id: ids[0],
    last_id: ids[2],
    has_more: true,
  });
  const second = (await call("GET", `/threads?limit=3&order=asc&after=${ids[2]}`)).json();
  expect(second.data.map((t: { id: string }) => t.id)).toEqual(ids.slice(3, 6));
  const last = (await call("GET", `/threads?limit=3&order=asc&after=${ids[5]}`)).json();
  expect([last.data.length, last.has_more]).toEqual([1, false]);
  const newestFirst = (await call("GET", "/threads")).json();
  expect(newestFirst.data.map((t: { id: string }) => t.id)).toEqual([...ids].reverse());
  const before = (await call("GET", `/threads?limit=2&order=asc&before=${ids[4]}`)).json();
  expect(before.data.map((t: { id: string }) => t.id)).toEqual(ids.slice(2, 4));
  expect((await call("GET", "/threads?limit=101")).status).toBe(400);
});

test("a streamed run sends the service's events and ends with done; a second run on the thread is refused", async () => {
  const agent = (
    await call("POST", "/assistants", { body: { model: "m", tools: [{ type: "code_interpreter" }] } })
  ).json();
  const thread = (await call("POST", "/threads", { body: {} })).json();
  await call("POST", `/threads/${thread.id}/messages`, { body: { role: "user", content: "hi" } });
  fake.queueTurn({ code: [{ input: "print(2)", logs: "2" }], text: "Two.", hold: true });
  const held = call("POST", `/threads/${thread.id}/runs`, { body: { assistant_id: agent.id, stream: true } });
  while (fake.runs(thread.id)[0]?.status !== "in_progress")
    await new Promise((resolve) => setTimeout(resolve, 5));

  const second = await call("POST", `/threads/${thread.id}/runs`, { body: { assistant_id: agent.id } });
  expect(second.status).toBe(400);
  const [run] = fake.runs(thread.id);
  expect(second.json().error.message).toBe(`Thread ${thread.id} already has an active run ${run!.id}.`);
  const message = await call("POST", `/threads/${thread.id}/messages`, {
    body: { role: "user", content: "more" },
  });
  expect(message.json().error.message).toBe(
    `Can't add messages to ${thread.id} while a run ${run!.id} is active.`,
  );

  fake.release(run!.id as string);
  const stream = await held;
  expect(stream.headers["content-type"]).toMatch(/^text\/event-stream/);
  const events = stream.body
    .toString()
    .split("\n\n")
    .filter(Boolean)
    .map((block) => block.split("\n")[0]!.replace("event: ", ""));
  expect(events.slice(0, 3)).toEqual(["thread.run.created", "thread.run.queued", "thread.run.in_progress"]);
  expect(events).toContain("thread.run.step.delta");
  expect(events).toContain("thread.message.delta");
  expect(events.slice(-2)).toEqual(["thread.run.completed", "done"]);
  expect(stream.body.toString().endsWith("event: done\ndata: [DONE]\n\n")).toBe(true);
});

test("a multipart upload is stored byte for byte and reported processed", async () => {
  const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 13, 10]);
  const boundary = "----databotBoundary";
  const raw = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nassistants\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="data.bin"\r\n`),
    Buffer.from("Content-Type: application/octet-stream\r\n\r\n"),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const uploaded = await call("POST", "/files", {
    raw,
    contentType: `multipart/form-data; boundary=${boundary}`,
  });
  expect(uploaded.json()).toMatchObject({
    object: "file",
    bytes: 8,
    filename: "data.bin",
    purpose: "assistants",
    status: "processed",
  });
  const content = await call("GET", `/files/${uploaded.json().id}/content`);
  expect(content.body.equals(bytes)).toBe(true);
  expect((await call("GET", "/files/assistant-missing/content")).status).toBe(404);
});
