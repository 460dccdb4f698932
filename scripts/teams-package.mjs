#!/usr/bin/env node
// Builds the Teams app package: manifests/teams/manifest.json with the ids filled in from the environment,
// plus color.png (192×192) and outline.png (32×32), zipped flat into manifests/teams/build/databot-teams.zip.
//   MicrosoftAppId=<bot app id> TEAMS_DEVELOPER_URL=https://contoso.example npm run teams:package
// `--icons` re-renders the two PNGs from their SVG sources first.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import JSZip from "jszip";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dir = path.join(root, "manifests", "teams");
const out = path.join(dir, "build", "databot-teams.zip");
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function fail(problems) {
  console.error(`teams:package cannot build the app package:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  process.exit(1);
}

function env(name) {
  const value = (process.env[name] ?? "").trim();
  return value === "" ? undefined : value;
}

function httpsUrl(name, value, problems) {
  try {
    if (new URL(value).protocol === "https:") return value;
  } catch {
    // reported below
  }
  problems.push(`${name} must be an https URL (got ${JSON.stringify(value)})`);
  return value;
}

async function renderIcons() {
  const { default: sharp } = await import("sharp");
  await sharp(path.join(dir, "color.svg")).resize(192, 192).png().toFile(path.join(dir, "color.png"));
  await sharp(path.join(dir, "outline.svg")).resize(32, 32).png().toFile(path.join(dir, "outline.png"));
  console.log("rendered color.png (192×192) and outline.png (32×32)");
}

/** The values the manifest template needs, validated; every problem names its variable. */
function readValues() {
  const problems = [];
  const appId = env("MicrosoftAppId");
  if (!appId) problems.push("MicrosoftAppId is required: the bot's Microsoft Entra app (client) id");
  else if (!GUID.test(appId)) problems.push(`MicrosoftAppId must be a GUID (got ${JSON.stringify(appId)})`);
  const teamsAppId = env("TEAMS_APP_ID") ?? appId;
  if (teamsAppId && !GUID.test(teamsAppId))
    problems.push(`TEAMS_APP_ID must be a GUID (got ${JSON.stringify(teamsAppId)})`);
  const publicBaseUrl = env("PUBLIC_BASE_URL");
  const developerUrl = env("TEAMS_DEVELOPER_URL") ?? publicBaseUrl;
  if (!developerUrl) {
    problems.push(
      "TEAMS_DEVELOPER_URL (or PUBLIC_BASE_URL) is required: Teams needs an https link to the publisher's website",
    );
  }
  const version =
    env("TEAMS_APP_VERSION") ?? JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).version;
  if (!/^\d+\.\d+\.\d+$/.test(version))
    problems.push(`TEAMS_APP_VERSION must look like 1.2.3 (got ${JSON.stringify(version)})`);
  const values = {
    MicrosoftAppId: appId,
    TEAMS_APP_ID: teamsAppId,
    TEAMS_APP_VERSION: version,
    TEAMS_DEVELOPER_NAME: env("TEAMS_DEVELOPER_NAME") ?? "databot",
    TEAMS_DEVELOPER_URL: developerUrl && httpsUrl("TEAMS_DEVELOPER_URL", developerUrl, problems),
    TEAMS_PRIVACY_URL:
      developerUrl && httpsUrl("TEAMS_PRIVACY_URL", env("TEAMS_PRIVACY_URL") ?? developerUrl, problems),
    TEAMS_TERMS_URL:
      developerUrl && httpsUrl("TEAMS_TERMS_URL", env("TEAMS_TERMS_URL") ?? developerUrl, problems),
    PUBLIC_HOST: publicBaseUrl ? new URL(publicBaseUrl).host : "",
  };
  if (problems.length > 0) fail(problems);
  return values;
}

function fillTemplate(values) {
  const template = readFileSync(path.join(dir, "manifest.json"), "utf8");
  const filled = template.replace(/\$\{\{(\w+)\}\}/g, (_, name) => {
    if (!(name in values)) fail([`manifest.json uses \${{${name}}}, which this script does not know`]);
    return JSON.stringify(String(values[name])).slice(1, -1);
  });
  const manifest = JSON.parse(filled);
  // Links databot hands out (signed downloads) live on PUBLIC_BASE_URL's host; nothing else needs listing.
  manifest.validDomains = manifest.validDomains.filter((domain) => domain !== "");
  return manifest;
}

if (process.argv.includes("--icons")) await renderIcons();
const manifest = fillTemplate(readValues());
for (const icon of ["color.png", "outline.png"]) {
  if (!existsSync(path.join(dir, icon)))
    fail([`${icon} is missing in manifests/teams (run with --icons to render it)`]);
}
const zip = new JSZip();
zip.file("manifest.json", JSON.stringify(manifest, null, 2));
zip.file("color.png", readFileSync(path.join(dir, "color.png")));
zip.file("outline.png", readFileSync(path.join(dir, "outline.png")));
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, await zip.generateAsync({ type: "nodebuffer", compression: "DEFLATE" }));
console.log(
  `wrote ${path.relative(process.cwd(), out)} (app ${manifest.id}, bot ${manifest.bots[0].botId}, version ${manifest.version})`,
);
console.log(
  "Upload it in Teams: Apps > Manage your apps > Upload an app (or the Teams admin center for the whole organization).",
);
