#!/usr/bin/env node
// A reader that stops early (`viva-drop --help | head`) is not an error of ours.
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});
require("../dist/cli/main.js").main();
