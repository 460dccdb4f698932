import fs from "node:fs";
import path from "node:path";

/** databot's own version, from the nearest package.json named databot (the source tree, or the image's /app). */
export function databotVersion(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "databot" && pkg.version) return pkg.version;
    } catch {
      // no package.json here: look one folder up
    }
    if (path.dirname(dir) === dir) return "unknown";
  }
}
