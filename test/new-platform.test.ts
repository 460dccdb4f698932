/**
 * The seam for a new chat platform: a team wants databot in their own chat room app. A surface of a few dozen
 * lines — its own thread-id prefix, messages handed to the inbox, a turn view that posts the reply — is
 * registered here, in the test, and a CSV shared in a room gets a chart and the right total back, answered by
 * the real local engine. Nothing in src/core knows this platform.
 */
import { EventEmitter } from "node:events";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { SurfaceDeps } from "../src/adapters/chat/surface-module";
import { surfaceSpec, type SurfaceSpec } from "../src/app/surfaces";
import type { ChatSurface, TurnStatus } from "../src/core/ports";
import { encodeThreadId } from "../src/core/thread-id";
import type { Reply } from "../src/core/types";
import { startTestDatabot, type TestDatabot } from "./support/harness";

/** The team's chat room app, as far as the story needs it: people post lines, optionally with a file. */
class ChatRoom extends EventEmitter {
  readonly posted: { room: string; text: string; images: string[]; statuses: string[] }[] = [];
  say(room: string, from: string, text: string, file?: string): void {
    this.emit("line", { id: `${room}-${this.listenerCount("line")}-${Date.now()}`, room, from, text, file });
  }
}

interface Line {
  id: string;
  room: string;
  from: string;
  text: string;
  file?: string;
}

/** databot's surface for the chat room: the whole adapter. */
function chatRoomSurface(room: ChatRoom): SurfaceSpec {
  return surfaceSpec(
    "chatroom",
    () => ({}),
    (deps: SurfaceDeps) => {
      const surface: ChatSurface = {
        platform: "chatroom",
        openTurn(message) {
          const statuses: string[] = [];
          const post = async (reply: Reply) => {
            const text = reply.error ? `⚠️ ${reply.error.message}` : reply.text;
            room.posted.push({
              room: message.threadId,
              text,
              images: reply.images.map((i) => i.name),
              statuses,
            });
          };
          return { status: async (s: TurnStatus) => void statuses.push(s.stage), finish: post, fail: post };
        },
        async openAttachment(_message, attachment) {
          return fs.createReadStream(String(attachment.ref.path));
        },
      };
      const onLine = (line: Line) =>
        void deps.sink.receive({
          id: `chatroom:${line.id}`,
          platform: "chatroom",
          threadId: encodeThreadId("chatroom", [line.room]),
          author: { id: line.from, name: line.from },
          text: line.text,
          attachments: line.file ? [{ name: path.basename(line.file), ref: { path: line.file } }] : [],
          sentAt: new Date().toISOString(),
        });
      return {
        surface,
        description: "Chat room: lines in, answers out",
        async start() {
          room.on("line", onLine);
        },
        async stop() {
          room.off("line", onLine);
        },
      };
    },
  );
}

let bot: TestDatabot;
let dir: string;
afterEach(async () => {
  await bot?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test("a surface registered in a test answers a CSV question in its room, with the chart and the right total", async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "databot-room-"));
  const csv = path.join(dir, "sales.csv");
  fs.writeFileSync(csv, "region,sales\nWest,1200\nEast,800\nWest,450\n");
  const room = new ChatRoom();
  bot = await startTestDatabot({
    env: { SANDBOX_POOL_SIZE: "1" },
    backend: "configured",
    surfaces: [chatRoomSurface(room)],
  });

  room.say("analytics", "ada", "bar chart of sales by region", csv);
  await bot.waitForTurns(1, 60_000);

  const [answer] = room.posted;
  expect(answer!.room).toBe("chatroom:analytics");
  expect(answer!.text).toMatch(/West/);
  expect(answer!.text).toMatch(/1,?650/);
  expect(answer!.images).toHaveLength(1);
  expect(answer!.statuses).toEqual(expect.arrayContaining(["receiving_files", "posting"]));
});
