/**
 * How answers look in Teams: charts that Teams can render inline, long answers that fit Teams' message limit,
 * Markdown Teams understands, and errors in words.
 */
import { randomBytes } from "node:crypto";
import sharp from "sharp";
import { personalMessage } from "./fakes/teams/activities";
import { ScriptedBackend, defaultScript } from "./fakes/scripted-backend";
import { countedBytes, MESSAGE_LIMIT_BYTES } from "./fakes/teams/connector";
import { startTeamsWorld, type TeamsWorld } from "./fakes/teams/world";
import { toTeamsMarkdown } from "../src/adapters/chat/teams/markdown";
import { DatabotError, ErrorCode } from "../src/core/errors";
import { makePng } from "./support/png";

let world: TeamsWorld;
afterEach(async () => world?.close());

function inlineImages(activity: { attachments?: { contentType?: string; contentUrl?: string }[] }) {
  return (activity.attachments ?? [])
    .filter((a) => a.contentUrl?.startsWith("data:image/"))
    .map((a) => Buffer.from(a.contentUrl!.split(",")[1]!, "base64"));
}

test("a chart too big for Teams is scaled down under 1 MB and 1024×1024, so it still renders", async () => {
  const wide = makePng(2400, 1600, 5);
  const noisy = await sharp(randomBytes(1000 * 1000 * 3), { raw: { width: 1000, height: 1000, channels: 3 } })
    .png()
    .toBuffer();
  expect(noisy.length).toBeGreaterThan(1024 * 1024); // heavy in bytes, though within the size in pixels
  const backend = new ScriptedBackend({
    script: (context) => ({
      ...defaultScript(context),
      images: [
        { name: "wide.png", data: wide, alt: "A wide chart" },
        { name: "noisy.png", data: noisy, alt: "A heatmap" },
      ],
    }),
  });
  world = await startTeamsWorld({ backend });
  await world.post(personalMessage({ serviceUrl: world.connector.serviceUrl, text: "big charts please" }));
  const answer = await world.connector.waitFor((posted) =>
    posted.find((p) => inlineImages(p.activity).length === 2),
  );

  for (const image of inlineImages(answer.activity)) {
    const meta = await sharp(image).metadata();
    expect(image.length).toBeLessThanOrEqual(1024 * 1024);
    expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(1024);
  }
  const [first] = inlineImages(answer.activity);
  expect(await sharp(first!).metadata()).toMatchObject({ width: 1024, height: 683, format: "png" }); // aspect kept
  expect(answer.activity.summary).toContain("A wide chart");
});

test("a very long answer is split into messages that each fit Teams' size limit, with nothing lost", async () => {
  const paragraph = "Revenue by region and month, with notes on every outlier and seasonal effect. ".repeat(
    40,
  );
  const text = Array.from({ length: 60 }, (_, i) => `Paragraph ${i + 1}: ${paragraph}`).join("\n\n");
  expect(Buffer.byteLength(text)).toBeGreaterThan(MESSAGE_LIMIT_BYTES);
  const backend = new ScriptedBackend({ script: (context) => ({ ...defaultScript(context), text }) });
  world = await startTeamsWorld({ backend });
  await world.post(personalMessage({ serviceUrl: world.connector.serviceUrl, text: "tell me everything" }));
  await world.bot.waitForTurns(1);
  const messages = world.connector.messages().filter((p) => p.activity.text?.includes("Paragraph"));
  expect(messages.length).toBeGreaterThan(1);
  expect(world.connector.refused).toEqual([]);
  expect(messages.every((m) => countedBytes(m.activity) <= MESSAGE_LIMIT_BYTES)).toBe(true);
  const joined = messages.map((m) => m.activity.text).join("\n\n");
  for (let i = 1; i <= 60; i++) expect(joined).toContain(`Paragraph ${i}: `);
  // The chart follows the last piece of text.
  expect(inlineImages(messages.at(-1)!.activity)).toHaveLength(1);
});

test("when the analysis fails, the person reads why and how to retry", async () => {
  const backend = new ScriptedBackend();
  backend.faults.run = [
    new DatabotError(ErrorCode.BackendBusy, "The analysis service is busy right now.", { retryable: true }),
  ];
  world = await startTeamsWorld({ backend });
  await world.post(personalMessage({ serviceUrl: world.connector.serviceUrl, text: "revenue" }));
  const answer = await world.connector.waitFor((posted) => posted.find((p) => p.activity.type === "message"));
  expect(answer.activity.text).toContain(
    "**I couldn't answer this.** The analysis service is busy right now.",
  );
  expect(answer.activity.text).toContain("Say `retry` in this thread");
});

test("Markdown becomes what Teams shows: headings bold, tables aligned in a code block, rules dropped", () => {
  const markdown = [
    "## Revenue by region",
    "",
    "| Region | Revenue |",
    "|---|---:|",
    "| East | 120 |",
    "| West | 95 |",
    "",
    "---",
    "**East** leads; see `summary.csv`.",
    "```python",
    "# not a heading",
    "```",
  ].join("\n");
  expect(toTeamsMarkdown(markdown)).toBe(
    [
      "**Revenue by region**",
      "",
      "```",
      "Region  Revenue",
      "------  -------",
      "East    120",
      "West    95",
      "```",
      "",
      "**East** leads; see `summary.csv`.",
      "",
      "```python",
      "# not a heading",
      "```",
    ].join("\n"),
  );
});

test("an answer quoting Teams mentions and HTML notifies no one: it shows the characters, with no mention entity", async () => {
  const text =
    'Ask <at>Grace Hopper</at> or <at id="0">General</at> about <b>this</b> & ' +
    "[the sheet](javascript:alert(1)) or [the report](https://contoso.sharepoint.com/q3).";
  const backend = new ScriptedBackend({
    script: (context) => ({
      ...defaultScript(context),
      text,
      notices: [{ kind: "info", message: "Column <at>Ada</at> was empty." }],
    }),
  });
  world = await startTeamsWorld({ backend });
  await world.post(personalMessage({ serviceUrl: world.connector.serviceUrl, text: "who should I ask?" }));
  const answer = await world.connector.waitFor((posted) =>
    posted.find((p) => p.activity.type === "message" && p.activity.text?.includes("Grace")),
  );
  const shown = answer.activity.text!;
  expect(shown).not.toMatch(/<at|<b>|<\/at>/i);
  expect(shown).toContain("&lt;at&gt;Grace Hopper&lt;/at&gt;");
  expect(shown).toContain("Column &lt;at&gt;Ada&lt;/at&gt; was empty.");
  expect(shown).not.toContain("javascript:");
  expect(shown).toContain("[the report](https://contoso.sharepoint.com/q3)");
  const mentions = world.connector.posted.flatMap((p) =>
    (p.activity.entities ?? []).filter((e) => e.type === "mention"),
  );
  expect(mentions).toEqual([]);
});
