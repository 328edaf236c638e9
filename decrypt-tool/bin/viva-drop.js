#!/usr/bin/env node
// A reader that stops early (`viva-drop --help | head`) is not an error of ours.
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});
// The one-file build of the CLI (scripts/bundle-cli.cjs) starts faster; dist/cli/main.js is the same code.
const { existsSync } = require("node:fs");
const bundle = require("node:path").join(__dirname, "..", "dist", "cli", "bundle.js");
require(existsSync(bundle) ? bundle : "../dist/cli/main.js").main();
