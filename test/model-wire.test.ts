/**
 * The small pure pieces of the model loop: where requests go and with which key header, how Code Interpreter
 * style links become plain file names, and how tool calls and cell output reach the model.
 */
import { completionsUrl, keyHeaderFor } from "../src/adapters/agents/local-engine/model/chat-client";
import { cleanSandboxLinks, codeFrom } from "../src/adapters/agents/local-engine/model/model-analyst";
import { formatCellResult } from "../src/adapters/agents/local-engine/model/tool-result";

test("each kind of endpoint gets its chat-completions URL and key header", () => {
  expect(completionsUrl("http://localhost:11434/v1").href).toBe("http://localhost:11434/v1/chat/completions");
  expect(completionsUrl("https://x.openai.azure.com/openai/v1/").href).toBe(
    "https://x.openai.azure.com/openai/v1/chat/completions",
  );
  expect(
    completionsUrl("https://x.openai.azure.com/openai/deployments/gpt4o?api-version=2024-10-21").href,
  ).toBe("https://x.openai.azure.com/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21");
  expect(keyHeaderFor("https://my-res.openai.azure.com/openai/v1")).toBe("api-key");
  expect(keyHeaderFor("https://my-res.services.ai.azure.com/models")).toBe("api-key");
  expect(keyHeaderFor("https://api.openai.com/v1")).toBe("bearer");
  expect(keyHeaderFor("http://127.0.0.1:8000/v1")).toBe("bearer");
});

test("sandbox links become file names and image embeds are dropped", () => {
  const text = [
    "Here is the chart:",
    "![chart](sandbox:/mnt/data/chart.png)",
    "",
    "",
    "[Download the summary](sandbox:/mnt/data/summary.csv) or [summary.csv](sandbox:/mnt/data/summary.csv).",
    "Also written to sandbox:/mnt/data/clean.csv.",
  ].join("\n");
  expect(cleanSandboxLinks(text)).toBe(
    [
      "Here is the chart:",
      "",
      "Download the summary (**summary.csv**) or **summary.csv**.",
      "Also written to clean.csv.",
    ].join("\n"),
  );
});

test("the code of a tool call is found however the model shaped its arguments", () => {
  expect(codeFrom('{"code": "print(1)"}')).toBe("print(1)");
  expect(codeFrom('{"script": "print(2)"}')).toBe("print(2)");
  expect(codeFrom('"print(3)"')).toBe("print(3)");
  expect(codeFrom("print(4)")).toBeUndefined();
  expect(codeFrom('{"code": "  "}')).toBeUndefined();
});

test("a flood of output reaches the model capped, keeping its start and its end", () => {
  const stdout = `first line\n${"x".repeat(50_000)}\nlast line`;
  const text = formatCellResult({ stdout, stderr: "", images: [], files: [] });
  expect(text.length).toBeLessThan(5000);
  expect(text).toContain("first line");
  expect(text).toContain("last line");
  expect(text).toMatch(/characters omitted/);
  const stopped = formatCellResult({ stdout: "", stderr: "", limit: "wall_clock", images: [], files: [] });
  expect(stopped).toContain("The code failed.");
  expect(stopped).toContain("longer than the time limit");
});
