/**
 * marked, loaded from its UMD build: the package's entry point is an ES module, which CommonJS code (the server,
 * and jest) cannot load on every Node version databot supports. The types are the package's own.
 */
import path from "node:path";
import type * as Marked from "marked" with { "resolution-mode": "import" };

const umdBuild = path.join(path.dirname(require.resolve("marked/package.json")), "lib", "marked.umd.js");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const loaded = require(umdBuild) as typeof Marked;

export const marked = loaded.marked;
