#!/usr/bin/env node
// The one-file build of the CLI (scripts/bundle-cli.cjs) starts faster; dist/cli/main.js is the same code.
const { existsSync } = require("node:fs");
const bundle = require("node:path").join(__dirname, "..", "dist", "cli", "bundle.js");
require(existsSync(bundle) ? bundle : "../dist/cli/main.js").main();
