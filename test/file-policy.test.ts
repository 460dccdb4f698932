/** Which shared files reach the agent, and what people are told about the others. */
import { Readable } from "node:stream";
import { FilePolicy, FileRefusedError } from "../src/core/files/file-policy";
import { SUPPORTED_FILE_TYPES, fileTypeFor, mimeTypeFor } from "../src/core/files/file-types";
import { generated } from "./support/memory-surface";
import { makePng } from "./support/png";

const policy = new FilePolicy(1024 * 1024);

async function drain(stream: Readable): Promise<number> {
  let bytes = 0;
  for await (const chunk of stream) bytes += (chunk as Buffer).length;
  return bytes;
}

test("the Code Interpreter table: 26 extensions (27 rows, .py twice) with their MIME types", () => {
  expect(SUPPORTED_FILE_TYPES).toHaveLength(26);
  expect(fileTypeFor("Sales Q1.XLSX")?.mimeTypes[0]).toBe(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  );
  expect(fileTypeFor("script.py")?.mimeTypes).toEqual(["text/x-python", "text/x-script.python"]);
  expect(mimeTypeFor("chart.png")).toBe("image/png");
  expect(mimeTypeFor("model.pkl")).toBe("application/octet-stream");
});

test.each([
  [{ name: "tool.exe", size: 10 }, /not supported/],
  [{ name: "../secrets.csv", size: 10 }, /path/],
  [{ name: "a/b.csv", size: 10 }, /path/],
  [{ name: "empty.csv", size: 0 }, /empty/],
  [{ name: "big.csv", size: 5 * 1024 * 1024 }, /5.0 MB, over the 1.0 MB limit/],
  [{ name: "bell\u0007.csv", size: 3 }, /control characters/],
  [{ name: "noextension", size: 3 }, /not supported/],
])("%o is refused before downloading", (attachment, reason) => {
  const verdict = policy.precheck(attachment);
  expect(verdict.ok).toBe(false);
  expect(!verdict.ok && verdict.reason).toMatch(reason);
});

test("a real CSV, XLSX-like zip and PNG pass the content check and stream through whole", async () => {
  const csv = policy.precheck({ name: "sales.csv" });
  if (!csv.ok) throw new Error(csv.reason);
  const stream = await policy.inspect(
    generated(300 * 1024, "month,revenue\n2024-01,100\n"),
    csv.name,
    csv.type,
  );
  expect(await drain(stream)).toBe(300 * 1024);

  const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100, 1)]);
  const xlsx = fileTypeFor("book.xlsx")!;
  expect(await drain(await policy.inspect(Readable.from([zip]), "book.xlsx", xlsx))).toBe(104);

  const png = makePng(10, 10);
  expect(await drain(await policy.inspect(Readable.from([png]), "c.png", fileTypeFor("c.png")!))).toBe(
    png.length,
  );
});

test("content that does not match the extension is refused with the reason", async () => {
  const csv = fileTypeFor("x.csv")!;
  await expect(
    policy.inspect(Readable.from([Buffer.from([0, 1, 2, 3, 0xff])]), "x.csv", csv),
  ).rejects.toThrow(/content is binary/);
  const xlsx = fileTypeFor("x.xlsx")!;
  await expect(policy.inspect(Readable.from([Buffer.from("a,b\n1,2\n")]), "x.xlsx", xlsx)).rejects.toThrow(
    /not a zip container \(Office files are zip containers\)/,
  );
  await expect(policy.inspect(Readable.from([]), "x.csv", csv)).rejects.toBeInstanceOf(FileRefusedError);
});

test("a file that grows past the cap while streaming errors the stream instead of uploading it all", async () => {
  const small = new FilePolicy(100 * 1024);
  const csv = fileTypeFor("x.csv")!;
  const stream = await small.inspect(generated(10 * 1024 * 1024, "a,b\n"), "x.csv", csv);
  await expect(drain(stream)).rejects.toThrow(/"x.csv": it is over the 100 KB limit/);
});
