#!/usr/bin/env node
// The `databot` command (npx databot ...): runs the built CLI.
const fs = require("node:fs");
const path = require("node:path");

const main = path.join(__dirname, "..", "dist", "src", "cli", "main.js");
if (!fs.existsSync(main)) {
  console.error("databot is not built yet: run `npm install` (or `npm run build`) in the project first.");
  process.exit(1);
}
require(main)
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
