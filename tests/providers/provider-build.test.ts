import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PROVIDER_BUILD_MANIFEST, providerBuildProblem, sourceHash } from "../../components/providers/provider-build";
import type { ProviderImplementation } from "../../components/providers/runtime-provider";
import { upgradingSerializedProvider } from "../../components/providers/serialized-provider-upgrade";
import { ROOT } from "../helpers/plan";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function project(files: Record<string, string>, manifest?: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "viva-provider-build-"));
  dirs.push(dir);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  if (manifest) {
    mkdirSync(path.dirname(path.join(dir, PROVIDER_BUILD_MANIFEST)), { recursive: true });
    writeFileSync(path.join(dir, PROVIDER_BUILD_MANIFEST), JSON.stringify({ sources: manifest }));
  }
  return dir;
}

describe("providerBuildProblem: no deployment with stale compiled providers", () => {
  it("accepts the build `npm run build` made of this repository", () => {
    expect(providerBuildProblem(ROOT)).toBeUndefined();
  });

  it("accepts a build whose sources are unchanged", () => {
    const source = "export const x = 1;\n";
    expect(providerBuildProblem(project({ "components/providers/a-provider.ts": source }, { "components/providers/a-provider.ts": sourceHash(source) }))).toBeUndefined();
  });

  it("names the source edited since the build, a source that is gone, and a missing build", () => {
    const changed = project({ "components/providers/a-provider.ts": "export const x = 2;\n" }, { "components/providers/a-provider.ts": sourceHash("export const x = 1;\n") });
    expect(providerBuildProblem(changed)).toBe("the dynamic providers in dist/providers are older than components/providers/a-provider.ts: run `npm run build`");
    const gone = project({}, { "config/dates.ts": "00" });
    expect(providerBuildProblem(gone)).toBe("the dynamic providers were built from config/dates.ts, which no longer exists: run `npm run build`");
    expect(providerBuildProblem(project({}))).toBe("the dynamic providers are not built (dist/providers/manifest.json is missing): run `npm run build` (npm ci does it too)");
  });
});

describe("upgradingSerializedProvider: state written with an older serialized provider", () => {
  type State = { value: number; __provider?: string };
  const calls: string[] = [];
  const inner: ProviderImplementation<State, State> = {
    configure: async () => undefined,
    check: async (_olds, news) => ({ inputs: news }),
    diff: async (_id, olds, news) => ({ changes: olds.value !== news.value }),
    create: async (inputs) => ({ id: "x", outs: inputs }),
    read: async (id, props) => ({ id, props }),
    update: async (_id, _olds, news) => {
      calls.push("update");
      return { outs: { ...news, value: news.value * 10 } };
    },
    delete: async () => undefined,
  };
  const provider = upgradingSerializedProvider(inner);

  it("reports a change when only __provider differs, and then keeps the outputs without calling the real update", async () => {
    const olds = { value: 1, __provider: "old 38 KB closure" };
    const news = { value: 1, __provider: "new stub" };
    expect(await provider.diff("x", olds, news)).toEqual({ changes: true });
    calls.length = 0;
    expect(await provider.update("x", olds, news)).toEqual({ outs: { value: 1 } });
    expect(calls).toEqual([]);
  });

  it("leaves real changes and unchanged resources to the provider", async () => {
    expect(await provider.diff("x", { value: 1, __provider: "p" }, { value: 1, __provider: "p" })).toEqual({ changes: false });
    expect(await provider.update("x", { value: 1, __provider: "p" }, { value: 2, __provider: "p" })).toEqual({ outs: { value: 20, __provider: "p" } });
  });
});
