#!/usr/bin/env node
// Copies the files the build does not compile (the sandbox's Python, the web chat's static files) next to the
// compiled modules, so dist/ runs on its own (the container image ships only dist/).
import { cpSync, mkdirSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const copy = (from, to, filter = () => true) => {
  mkdirSync(path.join(root, to), { recursive: true });
  for (const name of readdirSync(path.join(root, from)).filter(filter)) {
    cpSync(path.join(root, from, name), path.join(root, to, name), { recursive: true });
  }
};

const SANDBOX = "src/adapters/agents/local-engine/sandbox";
const WEB_STATIC = "src/adapters/chat/web/static";
copy(SANDBOX, `dist/${SANDBOX}`, (name) => name.endsWith(".py"));
copy(WEB_STATIC, `dist/${WEB_STATIC}`);
