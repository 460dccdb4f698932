#!/usr/bin/env node
/**
 * `npm run fake-foundry`: compiles the fake Foundry Agents service (only its own files, so work in progress
 * elsewhere cannot stop it) and starts it. It prints the KEY=VALUE settings that point databot at it, one per
 * line, then serves until stopped (Ctrl-C).
 */
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outDir = path.join(root, "node_modules", ".cache", "fake-foundry");
const entry = path.join(root, "test", "fakes", "foundry", "main.ts");

const config = ts.getParsedCommandLineOfConfigFile(
  path.join(root, "tsconfig.build.json"),
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    },
  },
);
const program = ts.createProgram([entry], {
  ...config.options,
  outDir,
  rootDir: root,
  noEmit: false,
  sourceMap: false,
  declaration: false,
  incremental: false,
});
const emitted = program.emit();
const problems = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
if (problems.length > 0) {
  const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => "\n" };
  process.stderr.write(ts.formatDiagnostics(problems, host));
  process.exit(1);
}
createRequire(import.meta.url)(path.join(outDir, "test", "fakes", "foundry", "main.js"));
