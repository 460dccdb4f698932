/**
 * What a thread sees while a turn works, whatever the platform: the core's presenter drives a surface's turn
 * view — the newest status while an older one is still being shown, the answer text through the platform's
 * stream or, where there is none, a message it edits — and remembers the live message so a resumed turn
 * finishes it. A recording view stands in for the platform; calls are held open to show what waits.
 */
import { TurnPresenter } from "../src/core/conversation/turn-presenter";
import { silentLogger } from "../src/core/logger";
import type { LiveAnswer, LiveChannel, TurnStatus, TurnView } from "../src/core/ports";
import type { JsonObject, Reply } from "../src/core/types";

const REPLY: Reply = { text: "Done.", images: [], files: [], code: [], notices: [] };

/** A view that records every call; `hold()` keeps the next call open until released. */
function recordingView(parts: Partial<TurnView> = {}) {
  const calls: string[] = [];
  let gate: Promise<void> | undefined;
  let open: (() => void) | undefined;
  const wait = async () => {
    if (gate) await gate;
  };
  const view: TurnView = {
    pacing: {},
    status: async (status: TurnStatus) => {
      calls.push(`status ${status.stage}${"code" in status ? ` ${status.code}` : ""}`);
      await wait();
    },
    finish: async (reply, live) =>
      void calls.push(`finish ${reply.text} live=${live ? live.channel : "none"}`),
    fail: async (reply) => void calls.push(`fail ${reply.error?.code}`),
    ...parts,
  };
  return {
    view,
    calls,
    hold() {
      gate = new Promise((resolve) => (open = resolve));
    },
    release() {
      gate = undefined;
      open?.();
    },
  };
}

function channel(
  name: string,
  calls: string[],
  behaviour: { open?: JsonObject; update?: boolean } = {},
): LiveChannel {
  return {
    render: (markdown) => markdown,
    open: async (text) => (
      calls.push(`${name}.open ${text}`),
      "open" in behaviour ? behaviour.open : { ts: "1" }
    ),
    update: async (handle, text, added) => (
      calls.push(`${name}.update ${text} +${added} @${handle.ts}`),
      behaviour.update ?? true
    ),
    close: async (handle) => void calls.push(`${name}.close @${handle.ts}`),
  };
}

/** Lets the presenter's background writes run: several timer turns, each letting one more write through. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 2));
}
const saved: LiveAnswer[] = [];
const presenter = (view: TurnView, resumed?: LiveAnswer) =>
  new TurnPresenter(view, {
    saveLive: async (live) => void saved.push({ ...live }),
    resumed,
    logger: silentLogger,
  });

beforeEach(() => (saved.length = 0));

test("while a status is being shown, newer ones replace each other: the thread sees the first and the newest", async () => {
  const { view, calls, hold, release } = recordingView();
  const turn = presenter(view);
  hold();
  turn.progress({ stage: "thinking" });
  await settle();
  turn.progress({ stage: "running_code", code: "a = 1" });
  turn.progress({ stage: "running_code", code: "b = 2" });
  turn.progress({ stage: "running_code", code: "c = 3" });
  release();
  await settle();
  await turn.finish(REPLY);
  expect(calls).toEqual(["status thinking", "status running_code c = 3", "finish Done. live=none"]);
});

test("a status the thread already shows is not sent again", async () => {
  const { view, calls } = recordingView();
  const turn = presenter(view);
  turn.progress({ stage: "thinking" });
  await settle();
  turn.progress({ stage: "thinking" });
  await settle();
  await turn.finish(REPLY);
  expect(calls).toEqual(["status thinking", "finish Done. live=none"]);
});

test("where the platform refuses its native stream, the answer text goes into a message that is edited", async () => {
  const calls: string[] = [];
  const { view } = recordingView({
    stream: channel("stream", calls, { open: undefined }),
    draft: channel("draft", calls),
  });
  const turn = presenter(view);
  turn.progress({ stage: "answering", text: "East leads" });
  await settle();
  turn.progress({ stage: "answering", text: "East leads with 250" });
  await settle();
  expect(calls).toEqual([
    "stream.open East leads",
    "draft.open East leads",
    "draft.update East leads with 250 + with 250 @1",
  ]);
  expect(saved.map((l) => l.channel)).toEqual(["draft"]);
});

test("a stream the platform ended goes on as an edited message, in the same place", async () => {
  const calls: string[] = [];
  const { view } = recordingView({
    stream: channel("stream", calls, { update: false }),
    draft: channel("draft", calls),
  });
  const turn = presenter(view);
  turn.progress({ stage: "answering", text: "Revenue" });
  await settle();
  turn.progress({ stage: "answering", text: "Revenue grew" });
  await settle();
  await turn.finish(REPLY);
  expect(calls).toEqual([
    "stream.open Revenue",
    "stream.update Revenue grew + grew @1",
    "stream.close @1",
    "draft.update Revenue grew +Revenue grew @1",
  ]);
  expect(saved.map((l) => l.channel)).toEqual(["stream", "draft"]);
});

test("a turn resumed after a restart is handed the live message its first attempt opened, to finish in place", async () => {
  const { view, calls } = recordingView({ stream: channel("stream", []) });
  const earlier: LiveAnswer = { channel: "stream", handle: { ts: "9" }, openedAt: Date.now() - 1000 };
  let finishedWith: LiveAnswer | undefined;
  view.finish = async (_reply, live) => {
    finishedWith = live;
    calls.push("finish");
  };
  const turn = presenter(view, earlier);
  await turn.finish(REPLY);
  expect(finishedWith).toEqual(earlier); // what it shows exactly is unknown: `shown` stays unset
  expect(finishedWith!.shown).toBeUndefined();
});

test("a view without pacing (an in-process surface) gets every update, in order", async () => {
  const calls: string[] = [];
  const { view } = recordingView({ draft: channel("draft", calls) });
  delete (view as { pacing?: unknown }).pacing;
  view.status = async (s) => void calls.push(`status ${s.stage}`);
  const turn = presenter(view);
  turn.progress({ stage: "thinking" });
  turn.progress({ stage: "running_code", code: "x" });
  turn.progress({ stage: "answering", text: "A" });
  turn.progress({ stage: "answering", text: "AB" });
  turn.progress({ stage: "posting" });
  await turn.finish(REPLY);
  expect(calls).toEqual([
    "status thinking",
    "status running_code",
    "draft.open A",
    "draft.update AB +B @1",
    "status posting",
  ]);
});

test("a turn that crashes still ends its view, so no indicator outlives it", async () => {
  const abandoned: string[] = [];
  const { view } = recordingView({ abandon: async () => void abandoned.push("abandon") });
  const turn = presenter(view);
  turn.progress({ stage: "thinking" });
  await turn.close();
  await turn.close();
  expect(abandoned).toEqual(["abandon"]);
});
