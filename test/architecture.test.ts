/**
 * The layout is the architecture: the core depends on nothing around it, adapters depend on the core (and on
 * shared adapter helpers) but never on the composition root, and no two folders import each other in a circle.
 * Read from the sources' import statements.
 */
import fs from "node:fs";
import path from "node:path";

const SRC = path.join(__dirname, "..", "src");

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === "static" || entry.name === "static-types" ? [] : sources(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

/** The folder a source file belongs to, at the granularity the architecture talks about. */
function area(file: string): string {
  const parts = path.relative(SRC, file).split(path.sep);
  if (parts[0] === "adapters" && parts.length > 2 && ["chat", "agents", "stores"].includes(parts[1]!)) {
    return parts.length > 3 ? parts.slice(0, 3).join("/") : parts.slice(0, 2).join("/");
  }
  return parts.length > 2 ? parts.slice(0, 2).join("/") : parts[0]!;
}

const IMPORT = /(?:from|import)\s*\(?\s*["']([^"']+)["']/g;

interface Edge {
  from: string;
  to: string;
  file: string;
}

function edges(): Edge[] {
  const found: Edge[] = [];
  for (const file of sources(SRC)) {
    for (const [, spec] of fs.readFileSync(file, "utf8").matchAll(IMPORT)) {
      if (!spec!.startsWith(".")) continue;
      const target = path.resolve(path.dirname(file), spec!);
      const from = area(file);
      const to = area(
        fs.existsSync(target) && fs.statSync(target).isDirectory() ? path.join(target, "x.ts") : target,
      );
      if (from !== to) found.push({ from, to, file: path.relative(SRC, file) });
    }
  }
  return found;
}

test("the core imports nothing but itself, Node's built-ins and a file-type library", () => {
  const outside: string[] = [];
  for (const file of sources(path.join(SRC, "core"))) {
    for (const [, spec] of fs.readFileSync(file, "utf8").matchAll(IMPORT)) {
      const resolved = spec!.startsWith(".") ? path.resolve(path.dirname(file), spec!) : undefined;
      const inCore = resolved?.startsWith(path.join(SRC, "core"));
      if (!inCore && !spec!.startsWith("node:") && spec !== "isbinaryfile")
        outside.push(`${path.relative(SRC, file)} → ${spec}`);
    }
  }
  expect(outside).toEqual([]);
});

test("adapters never import the composition root or the command line", () => {
  const wrong = edges().filter(
    (e) => e.from.startsWith("adapters") && ["app", "cli"].includes(e.to.split("/")[0]!),
  );
  expect(wrong.map((e) => `${e.file} → ${e.to}`)).toEqual([]);
});

test("no two folders import each other, directly or round a circle", () => {
  const graph = new Map<string, Set<string>>();
  for (const { from, to } of edges()) {
    if (!graph.has(from)) graph.set(from, new Set());
    graph.get(from)!.add(to);
  }
  const cycles: string[] = [];
  const visit = (node: string, trail: string[]) => {
    for (const next of graph.get(node) ?? []) {
      if (next === trail[0]) cycles.push([...trail, next].join(" → "));
      else if (!trail.includes(next) && next > trail[0]!) visit(next, [...trail, next]);
    }
  };
  for (const node of graph.keys()) visit(node, [node]);
  expect(cycles).toEqual([]);
});
