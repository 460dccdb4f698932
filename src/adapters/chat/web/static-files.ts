/**
 * The browser client's files: plain HTML, CSS and ES modules in `static/` (no build step), plus the Markdown
 * renderer and sanitiser served straight from node_modules.
 */
import fs from "node:fs";
import path from "node:path";
import express, { type Router } from "express";

/**
 * The `static/` folder: next to this module under ts-jest and tsx; from `dist/` the sources' copy is used when
 * the build did not copy it.
 */
export function staticDir(): string {
  const candidates = [
    path.join(__dirname, "static"),
    // dist/src/… -> src/…
    path.join(
      __dirname.replace(`${path.sep}dist${path.sep}src${path.sep}`, `${path.sep}src${path.sep}`),
      "static",
    ),
  ];
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, "index.html")));
  if (!found) throw new Error(`The web chat's static files are missing (looked in ${candidates.join(", ")})`);
  return found;
}

/** Browser builds of the vendored libraries, by the name the client imports them as. */
function vendorFiles(): Record<string, string> {
  const marked = path.dirname(require.resolve("marked/package.json"));
  const purify = path.dirname(require.resolve("dompurify"));
  return {
    "marked.esm.js": path.join(marked, "lib", "marked.esm.js"),
    "purify.es.mjs": path.join(purify, "purify.es.mjs"),
  };
}

/** Serves `/web/static/*` (mounted under `/web`). */
export function staticRouter(dir: string): Router {
  const router = express.Router();
  const vendor = vendorFiles();
  router.get("/static/vendor/:file", (req, res) => {
    const file = vendor[req.params.file];
    if (!file) {
      res.status(404).end();
      return;
    }
    res.type("text/javascript").setHeader("cache-control", "public, max-age=3600");
    res.sendFile(file);
  });
  router.use(
    "/static",
    express.static(dir, {
      index: false,
      fallthrough: false,
      setHeaders: (res) => res.setHeader("cache-control", "no-cache"),
    }),
  );
  return router;
}
