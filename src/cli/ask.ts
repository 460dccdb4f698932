/**
 * `databot ask`: one turn through the same core as the chat surfaces. Prints the answer, writes images and
 * files into --out, and exits 0 when answered, 2 when the input was refused, 1 on failure.
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import type { Config } from "../config";
import type { Logger } from "../core/logger";
import { encodeThreadId } from "../core/thread-id";
import type { AttachmentMeta, InboundMessage, Reply } from "../core/types";
import { startDatabot, type DatabotParts } from "../app/app";
import { surfaceSpec } from "../app/surfaces";
import { CliSurface } from "../adapters/chat/cli/cli-surface";
import { renderForTerminal } from "../adapters/chat/cli/terminal-markdown";

export interface CliIo {
  stdout: Writable;
  stderr: Writable;
}

export const ASK_USAGE = `Usage: databot ask [--file <path>]... [--thread <name>] [--out <dir>] "<question>"

  --file <path>    a file to share with the question (repeatable)
  --thread <name>  continue the conversation of that name (files and results carry over)
  --out <dir>      where to write the answer's charts and files (default: ./databot-output)
`;

const EXIT_ANSWERED = 0;
const EXIT_FAILED = 1;
const EXIT_REFUSED = 2;

export async function askCommand(
  argv: string[],
  config: Config,
  logger: Logger,
  io: CliIo,
  parts: Pick<DatabotParts, "backend"> = {},
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      file: { type: "string", multiple: true, default: [] },
      thread: { type: "string" },
      out: { type: "string", default: "databot-output" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    io.stdout.write(ASK_USAGE);
    return EXIT_ANSWERED;
  }
  const question = positionals.join(" ").trim();
  if (question === "" && values.file.length === 0) {
    io.stderr.write(ASK_USAGE);
    return EXIT_REFUSED;
  }
  const attachments: AttachmentMeta[] = [];
  for (const file of values.file) {
    const absolute = path.resolve(file);
    if (!fs.existsSync(absolute) || !fs.statSync(absolute).isFile()) {
      io.stderr.write(`databot: "${file}" is not a file.\n`);
      return EXIT_REFUSED;
    }
    attachments.push({
      name: path.basename(absolute),
      size: fs.statSync(absolute).size,
      ref: { path: absolute },
    });
  }

  const surface = new CliSurface(io.stderr);
  const databot = await startDatabot(config, logger, {
    ...parts,
    http: false,
    workerId: `cli-${randomUUID()}`,
    surfaces: [
      surfaceSpec(
        "cli",
        () => ({}),
        () => ({ surface, description: "the command line" }),
      ),
    ],
  });
  try {
    const message: InboundMessage = {
      id: `cli:${randomUUID()}`,
      platform: "cli",
      threadId: encodeThreadId("cli", [values.thread ?? randomUUID()]),
      author: { id: "cli" },
      text: question,
      attachments,
      sentAt: new Date().toISOString(),
    };
    const replied = surface.replyTo(message.id);
    await databot.service.receive(message);
    const reply = await replied;
    return await printReply(reply, path.resolve(values.out), io);
  } finally {
    await databot.close();
  }
}

async function printReply(reply: Reply, outDir: string, io: CliIo): Promise<number> {
  for (const notice of reply.notices) io.stderr.write(`databot: ${notice.message}\n`);
  if (reply.error) {
    io.stderr.write(`databot: ${reply.error.message}\n`);
    return reply.error.code === "file_refused" ? EXIT_REFUSED : EXIT_FAILED;
  }
  if (reply.text) {
    // A person at a terminal reads it formatted; a pipe or a file gets the Markdown as it is.
    const text = (io.stdout as { isTTY?: boolean }).isTTY ? renderForTerminal(reply.text) : reply.text;
    io.stdout.write(`${text.trimEnd()}\n`);
  }
  if (reply.images.length > 0 || reply.files.length > 0) {
    fs.mkdirSync(outDir, { recursive: true });
    for (const image of reply.images) {
      const target = uniquePath(outDir, image.name);
      fs.writeFileSync(target, image.data);
      io.stdout.write(`chart: ${target}\n`);
    }
    for (const file of reply.files) {
      const target = uniquePath(outDir, file.name);
      await pipeline(await file.open(), fs.createWriteStream(target));
      io.stdout.write(`file: ${target}\n`);
    }
  }
  const refused = reply.notices.some((n) => n.kind === "file_refused");
  return refused ? EXIT_REFUSED : EXIT_ANSWERED;
}

/** A path in `dir` for `name` that does not overwrite an earlier output. */
function uniquePath(dir: string, name: string): string {
  const safe = path.basename(name).replace(/[^\w.\- ]/g, "_") || "output";
  const { name: stem, ext } = path.parse(safe);
  let candidate = path.join(dir, safe);
  for (let i = 2; fs.existsSync(candidate); i++) candidate = path.join(dir, `${stem}-${i}${ext}`);
  return candidate;
}
