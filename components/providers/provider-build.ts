import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PROVIDER_BUILD_DIR } from "./runtime-provider";

/** File in the provider build that lists the sources it was compiled from, with their hashes. */
export const PROVIDER_BUILD_MANIFEST = `${PROVIDER_BUILD_DIR}/manifest.json`;

/** What `scripts/build-providers.ts` writes next to the compiled providers. */
export interface ProviderBuildManifest {
  /** Source path relative to the project root → SHA-256 of its text. */
  sources: Record<string, string>;
}

/** SHA-256 (hex) of a source file's text. */
export function sourceHash(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * Why the compiled dynamic providers under `root` do not match their TypeScript sources, or
 * undefined when they do. Pulumi's provider host runs the compiled code, so a source edited
 * without `npm run build` would deploy the old behaviour without a word.
 */
export function providerBuildProblem(root: string): string | undefined {
  let manifest: ProviderBuildManifest;
  try {
    manifest = JSON.parse(readFileSync(join(root, PROVIDER_BUILD_MANIFEST), "utf8")) as ProviderBuildManifest;
  } catch {
    return `the dynamic providers are not built (${PROVIDER_BUILD_MANIFEST} is missing): run \`npm run build\` (npm ci does it too)`;
  }
  for (const [source, hash] of Object.entries(manifest.sources ?? {})) {
    let text: string;
    try {
      text = readFileSync(join(root, source), "utf8");
    } catch {
      return `the dynamic providers were built from ${source}, which no longer exists: run \`npm run build\``;
    }
    if (sourceHash(text) !== hash) return `the dynamic providers in ${PROVIDER_BUILD_DIR} are older than ${source}: run \`npm run build\``;
  }
  return undefined;
}
