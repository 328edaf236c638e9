import { Writable } from "node:stream";

/** A stream that a progress bar takes for a terminal (or not, with `isTTY` false), and what was written to it. */
export function fakeTerminal(isTTY: boolean, columns = 100): { stream: NodeJS.WriteStream; chunks: string[]; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(stream, { isTTY, columns, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return { stream, chunks, text: () => chunks.join("") };
}
