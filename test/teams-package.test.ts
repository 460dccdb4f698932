/**
 * The Teams app package an admin uploads: ids filled in from the environment, icons of the sizes Teams demands,
 * all zipped flat; a missing setting is named.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import JSZip from "jszip";
import sharp from "sharp";

const script = path.join(__dirname, "..", "scripts", "teams-package.mjs");
const zipPath = path.join(__dirname, "..", "manifests", "teams", "build", "databot-teams.zip");
const APP_ID = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";

function run(env: Record<string, string>) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(MicrosoftApp|TEAMS_|PUBLIC_BASE_URL)/.test(k)),
  );
  return spawnSync(process.execPath, [script], { env: { ...clean, ...env }, encoding: "utf8" });
}

test("npm run teams:package writes a flat zip with the manifest filled in and both icons", async () => {
  const result = run({ MicrosoftAppId: APP_ID, PUBLIC_BASE_URL: "https://databot.contoso.example" });
  expect(result.status).toBe(0);
  const zip = await JSZip.loadAsync(fs.readFileSync(zipPath));
  expect(Object.keys(zip.files).sort()).toEqual(["color.png", "manifest.json", "outline.png"]);
  const manifest = JSON.parse(await zip.file("manifest.json")!.async("string"));
  expect(manifest).toMatchObject({
    manifestVersion: "1.23",
    id: APP_ID,
    bots: [{ botId: APP_ID, scopes: ["personal", "team", "groupChat"], supportsFiles: true }],
    validDomains: ["databot.contoso.example"],
    webApplicationInfo: { id: APP_ID },
    authorization: {
      permissions: {
        resourceSpecific: [
          { name: "ChannelMessage.Read.Group", type: "Application" },
          { name: "ChatMessage.Read.Chat", type: "Application" },
        ],
      },
    },
  });
  expect(JSON.stringify(manifest)).not.toContain("${{");
  const color = await sharp(await zip.file("color.png")!.async("nodebuffer")).metadata();
  const outline = await sharp(await zip.file("outline.png")!.async("nodebuffer")).metadata();
  expect([color.width, color.height, outline.width, outline.height]).toEqual([192, 192, 32, 32]);
  expect(outline.hasAlpha).toBe(true); // Teams wants a white outline on a transparent background
});

test("without the bot's app id the package is not built, and the message names the variable", () => {
  const result = run({ TEAMS_DEVELOPER_URL: "https://contoso.example" });
  expect(result.status).toBe(1);
  expect(result.stderr).toContain("MicrosoftAppId is required");
});
