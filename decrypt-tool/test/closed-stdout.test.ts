import { beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, runCliWithClosedStdout } from "./support/run-cli";

beforeAll(assertBuilt);

describe("a reader that stops early (viva-drop … | head)", () => {
  it("ends help output quietly with exit code 0", async () => {
    const { code, stderr } = await runCliWithClosedStdout(["--help"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });
});
