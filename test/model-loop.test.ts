/**
 * The model loop: an OpenAI-compatible model (here a fake chat-completions server speaking the real wire
 * format) drives the python tool like Code Interpreter — a failing cell's traceback goes back to the model,
 * which fixes the code and runs it again; the answer carries the chart.
 */
import { Readable } from "node:stream";
import type { ModelConfig } from "../src/config";
import type { AgentProgress } from "../src/core/ports";
import { DatabotError } from "../src/core/errors";
import { silentLogger } from "../src/core/logger";
import { createModelAnalyst, type ModelAnalystOptions } from "../src/adapters/agents/local-engine/model";
import type { AnalystInput } from "../src/adapters/agents/local-engine/types";
import { FakeChatCompletions, type ReceivedRequest } from "./fakes/chat-completions/server";
import { PlainPythonSession } from "./support/plain-python-session";

const SALES_CSV = "region,revenue\nEast,120\nWest,95\nNorth,180\nSouth,85\n";

let fake: FakeChatCompletions;
let session: PlainPythonSession;

beforeEach(async () => {
  session = await PlainPythonSession.start();
  await session.writeFile("sales.csv", Readable.from([SALES_CSV]));
});

afterEach(async () => {
  await fake?.stop();
  await session.close();
});

function modelConfig(overrides: Partial<ModelConfig> = {}): ModelConfig {
  return { baseUrl: fake.baseUrl, model: "gpt-4o-mini", maxSteps: 8, ...overrides };
}

async function ask(
  question: string,
  options: {
    config?: Partial<ModelConfig>;
    analyst?: ModelAnalystOptions;
    input?: Partial<AnalystInput>;
  } = {},
) {
  const progress: AgentProgress[] = [];
  const analyst = createModelAnalyst(modelConfig(options.config), silentLogger, options.analyst);
  const output = await analyst.answer({
    question,
    newFiles: ["sales.csv"],
    files: await session.listFiles(),
    history: [],
    sessionRestarted: false,
    session,
    onProgress: (p) => progress.push(p),
    ...options.input,
  });
  return { output, progress };
}

function lastMessage(request: ReceivedRequest) {
  return request.body.messages.at(-1)!;
}

describe.each([
  ["streamed", true],
  ["not streamed", false],
])("answers %s", (_label, stream) => {
  test("a cell that fails is fixed by the model, which got the traceback, and the chart comes back", async () => {
    fake = await new FakeChatCompletions({ apiKey: "sk-test-key-123", azureStyle: stream }).start();
    const broken = "import pandas as pd\ndf = pd.read_csv('/mnt/data/sales.csv')\nprint(df['revnue'].sum())";
    const fixed = [
      "print(df.columns.tolist())",
      "print(df['revenue'].sum())",
      "ax = df.sort_values('revenue').plot.bar(x='region', y='revenue', title='Revenue by region')",
    ].join("\n");
    fake.enqueue(
      { content: "Let me load the data.", toolCalls: [{ arguments: { code: broken } }] },
      { toolCalls: [{ arguments: { code: fixed } }] },
      { content: "Total revenue is **480**; North leads. See the chart (sandbox:/mnt/data/figure-1.png)." },
    );

    const { output, progress } = await ask("bar chart of revenue by region", {
      config: { apiKey: "sk-test-key-123" },
      analyst: { stream },
    });

    // The second call carried the real traceback of the first attempt in its tool message.
    const [first, second, third] = fake.chatRequests;
    expect(first!.body.stream).toBe(stream);
    expect(first!.headers.authorization).toBe("Bearer sk-test-key-123");
    expect(first!.body.tools?.map((t) => t.function.name)).toEqual(["python"]);
    const toolAfterFailure = lastMessage(second!);
    expect(toolAfterFailure.role).toBe("tool");
    expect(toolAfterFailure.content).toContain("Traceback (most recent call last)");
    expect(toolAfterFailure.content).toContain("KeyError: 'revnue'");
    // The fix ran in the same session (df still defined) and its output went back too.
    const toolAfterFix = lastMessage(third!);
    expect(toolAfterFix.content).toContain("['region', 'revenue']");
    expect(toolAfterFix.content).toContain("480");
    expect(toolAfterFix.content).toContain("figure-1.png");

    expect(output.cells.map((c) => c.code)).toEqual([broken, fixed]);
    expect(output.cells[0]!.result.error?.name).toBe("KeyError");
    expect(output.cells[1]!.result.images).toHaveLength(1);
    expect(output.cells[1]!.result.images[0]!.data.subarray(1, 4).toString()).toBe("PNG");
    expect(output.text).toBe("Total revenue is **480**; North leads. See the chart (figure-1.png).");
    expect(progress.filter((p) => p.kind === "running_code").map((p) => p.code)).toEqual([broken, fixed]);
    if (stream)
      expect(progress.at(-1)).toEqual({ kind: "text", text: expect.stringContaining("Total revenue") });
  });
});

test("the model hears which files are in /mnt/data, the earlier turns, and that the session restarted", async () => {
  fake = await new FakeChatCompletions().start();
  fake.enqueue({ content: "Reloaded; the average is 120." });
  await ask("what is the average revenue?", {
    input: {
      newFiles: [],
      sessionRestarted: true,
      history: [
        { role: "user", text: "load the sales file" },
        { role: "assistant", text: "Loaded sales.csv: 4 rows." },
      ],
    },
  });
  const messages = fake.chatRequests[0]!.body.messages;
  expect(messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
  expect(messages[0]!.content).toContain("/mnt/data");
  expect(messages[2]!.content).toBe("Loaded sales.csv: 4 rows.");
  expect(messages[3]!.content).toContain("restarted");
  expect(messages[3]!.content).toContain("sales.csv (51 bytes)");
  expect(messages[3]!.content).toMatch(/what is the average revenue\?$/);
  expect(fake.chatRequests[0]!.headers.authorization).toBeUndefined();
});

test("parallel tool calls are each answered, in one round, before the model is asked again", async () => {
  fake = await new FakeChatCompletions().start();
  fake.enqueue(
    {
      toolCalls: [
        { id: "call_a", arguments: { code: "x = 2" } },
        { id: "call_b", arguments: { code: "print(x * 21)" } },
      ],
    },
    { content: "42" },
  );
  const { output } = await ask("compute");
  const answers = fake.chatRequests[1]!.body.messages.filter((m) => m.role === "tool");
  expect(answers.map((m) => m.tool_call_id)).toEqual(["call_a", "call_b"]);
  expect(answers[1]!.content).toContain("42");
  expect(output.text).toBe("42");
});

test("bad tool calls are explained to the model instead of failing the question", async () => {
  fake = await new FakeChatCompletions().start();
  fake.enqueue(
    { toolCalls: [{ name: "browser", arguments: { url: "x" } }, { arguments: "print(1" }] },
    { content: "Done." },
  );
  const { output } = await ask("anything");
  const answers = fake.chatRequests[1]!.body.messages.filter((m) => m.role === "tool");
  expect(answers[0]!.content).toContain('no tool named "browser"');
  expect(answers[1]!.content).toContain('{"code"');
  expect(output.cells).toHaveLength(0);
});

test("after maxSteps code runs the model must answer without tools", async () => {
  fake = await new FakeChatCompletions().start();
  const again = () => ({ toolCalls: [{ arguments: { code: "print('again')" } }] });
  fake.enqueue(again(), again(), { content: "I ran out of steps; here is what I found." });
  const { output } = await ask("loop forever", { config: { maxSteps: 2 } });
  expect(output.cells).toHaveLength(2);
  const final = fake.chatRequests[2]!.body;
  expect(final.tool_choice).toBe("none");
  expect(lastMessage(fake.chatRequests[2]!).content).toContain("used all 2 code runs");
  expect(output.text).toBe("I ran out of steps; here is what I found.");
});

describe("the wire, through the openai client", () => {
  test("a stream that arrives a few bytes at a time, with CRLF line ends, gives the same answer", async () => {
    fake = await new FakeChatCompletions({ writeBytesAtATime: 3, lineEnd: "\r\n" }).start();
    fake.enqueue(
      { content: "Running it.", toolCalls: [{ id: "call_1", arguments: { code: "print(6 * 7)" } }] },
      { content: "The answer is **42**." },
    );
    const { output, progress } = await ask("six times seven?");
    expect(output.cells.map((c) => [c.code, c.result.stdout.trim()])).toEqual([["print(6 * 7)", "42"]]);
    expect(output.text).toBe("The answer is **42**.");
    expect(progress.filter((p) => p.kind === "text").at(-1)).toEqual({
      kind: "text",
      text: "The answer is **42**.",
    });
  });

  test("a server that answers a streamed request with plain JSON is read as such", async () => {
    fake = await new FakeChatCompletions({ neverStream: true }).start();
    fake.enqueue({ toolCalls: [{ arguments: { code: "print(1 + 1)" } }] }, { content: "Two." });
    const { output } = await ask("one plus one?");
    expect(fake.chatRequests[0]!.body.stream).toBe(true);
    expect(output.cells[0]!.result.stdout.trim()).toBe("2");
    expect(output.text).toBe("Two.");
  });

  test("the base URL's query is kept on every request, and OPENAI_* variables play no part", async () => {
    fake = await new FakeChatCompletions({ apiKey: "azure-key", keyHeader: "api-key" }).start();
    fake.enqueue({ content: "ok" });
    const saved = { ...process.env };
    Object.assign(process.env, {
      OPENAI_BASE_URL: "http://127.0.0.1:9/v1",
      OPENAI_API_KEY: "sk-from-the-environment",
      OPENAI_ORG_ID: "org-from-the-environment",
      OPENAI_PROJECT_ID: "proj-from-the-environment",
    });
    try {
      const { output } = await ask("q", {
        config: { apiKey: "azure-key", baseUrl: `${fake.baseUrl}?api-version=2024-10-21` },
        analyst: { keyHeader: "api-key" },
      });
      expect(output.text).toBe("ok");
    } finally {
      for (const name of ["OPENAI_BASE_URL", "OPENAI_API_KEY", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID"]) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
    const [request] = fake.chatRequests;
    expect(request!.query).toEqual({ "api-version": "2024-10-21" });
    expect(request!.headers["api-key"]).toBe("azure-key");
    expect(request!.headers.authorization).toBeUndefined();
    expect(request!.headers["openai-organization"]).toBeUndefined();
    expect(request!.headers["openai-project"]).toBeUndefined();
  });
});

describe("failures name what to fix", () => {
  test("a wrong key is a clear error naming MODEL_API_KEY, without the key", async () => {
    fake = await new FakeChatCompletions({ apiKey: "sk-right" }).start();
    const error = await ask("q", { config: { apiKey: "sk-wrong-secret" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabotError);
    expect((error as DatabotError).userMessage).toContain("MODEL_API_KEY");
    expect((error as DatabotError).retryable).toBe(false);
    expect(
      JSON.stringify({ m: (error as Error).message, u: (error as DatabotError).userMessage }),
    ).not.toContain("sk-wrong-secret");
  });

  test("Azure's api-key header is used when asked for", async () => {
    fake = await new FakeChatCompletions({ apiKey: "azure-key", keyHeader: "api-key" }).start();
    fake.enqueue({ content: "ok" });
    const { output } = await ask("q", { config: { apiKey: "azure-key" }, analyst: { keyHeader: "api-key" } });
    expect(output.text).toBe("ok");
    expect(fake.chatRequests[0]!.headers["api-key"]).toBe("azure-key");
    expect(fake.chatRequests[0]!.headers.authorization).toBeUndefined();
  });

  test("an unknown model names MODEL_NAME; a wrong path names MODEL_BASE_URL", async () => {
    fake = await new FakeChatCompletions({ models: ["llama3.1"] }).start();
    const missing = (await ask("q", { config: { model: "llama9" } }).catch(
      (e: unknown) => e,
    )) as DatabotError;
    expect(missing.userMessage).toContain('no model named "llama9"');
    expect(missing.userMessage).toContain("MODEL_NAME");
    const wrongPath = (await ask("q", {
      config: { model: "llama3.1", baseUrl: fake.baseUrl.replace(/\/v1$/, "") },
    }).catch((e: unknown) => e)) as DatabotError;
    expect(wrongPath.userMessage).toContain("MODEL_BASE_URL");
  });

  test("throttling is retried after the Retry-After the server asked for", async () => {
    fake = await new FakeChatCompletions().start();
    fake.enqueue(
      { fault: { status: 429, headers: { "retry-after-ms": "20", "retry-after": "1" } } },
      { content: "answer after the wait" },
    );
    const { output } = await ask("q");
    expect(output.text).toBe("answer after the wait");
    expect(fake.chatRequests).toHaveLength(2);
  });

  test("throttling that does not pass becomes backend_busy, retryable", async () => {
    fake = await new FakeChatCompletions().start();
    const busy = { fault: { status: 429, headers: { "retry-after-ms": "1" } } };
    fake.enqueue(busy, busy, busy);
    const error = (await ask("q", { analyst: { retry: { attempts: 3 } } }).catch(
      (e: unknown) => e,
    )) as DatabotError;
    expect(error.code).toBe("backend_busy");
    expect(error.retryable).toBe(true);
    expect(fake.chatRequests).toHaveLength(3);
  });

  test("a server that keeps failing, or is not there, is backend_unavailable, retryable", async () => {
    fake = await new FakeChatCompletions().start();
    const down = { fault: { status: 503 } };
    fake.enqueue(down, down);
    const failing = (await ask("q", { analyst: { retry: { attempts: 2 } } }).catch(
      (e: unknown) => e,
    )) as DatabotError;
    expect(failing.code).toBe("backend_unavailable");
    expect(failing.retryable).toBe(true);

    const closedUrl = fake.baseUrl;
    await fake.stop();
    const gone = (await ask("q", {
      config: { baseUrl: closedUrl },
      analyst: { retry: { attempts: 2 } },
    }).catch((e: unknown) => e)) as DatabotError;
    expect(gone.code).toBe("backend_unavailable");
    expect(gone.retryable).toBe(true);
    expect(gone.userMessage).toContain("MODEL_BASE_URL");
  });

  test("an answer that stops arriving is cut off at the request timeout and reported, retryable", async () => {
    fake = await new FakeChatCompletions().start();
    fake.enqueue({ content: "Let me think about this for a very long time", stall: true });
    const error = (await ask("q", { analyst: { requestTimeoutMs: 300 } }).catch(
      (e: unknown) => e,
    )) as DatabotError;
    expect(error.code).toBe("backend_unavailable");
    expect(error.retryable).toBe(true);
    expect(error.userMessage).toContain("the request timed out");
  });

  test("a model without tool calling is told apart from other bad requests", async () => {
    fake = await new FakeChatCompletions().start();
    fake.enqueue({
      fault: {
        status: 400,
        body: {
          error: { message: "registry.ollama.ai/library/gemma:2b does not support tools", type: "api_error" },
        },
      },
    });
    const error = (await ask("q").catch((e: unknown) => e)) as DatabotError;
    expect(error.userMessage).toContain("does not support tool calling");
    expect(error.retryable).toBe(false);
  });
});
