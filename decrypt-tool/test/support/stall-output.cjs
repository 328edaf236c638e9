// Preloaded into a viva-drop child process by tests (node --require, see STALL_OUTPUT in run-cli.ts): the temp
// file `decrypt --output` writes (*.partial) takes its first write and then never finishes another, so a test
// can act while decrypted rows sit in it, as they would during a long decrypt. Nothing else is changed.
const fs = require("node:fs");
const { setInterval } = require("node:timers");

const createWriteStream = fs.createWriteStream;
fs.createWriteStream = function (file, options) {
  const stream = createWriteStream.call(this, file, options);
  if (!String(file).endsWith(".partial")) return stream;
  let writes = 0;
  const stallAfterFirst = (write) =>
    function (...args) {
      if (writes++ === 0) return write.apply(this, args);
      // Never calls back: the write is pending forever. A pending write holds no handle, so keep the process alive.
      if (writes === 2) setInterval(() => undefined, 60_000);
    };
  stream._write = stallAfterFirst(stream._write);
  stream._writev = stream._writev && stallAfterFirst(stream._writev);
  return stream;
};
