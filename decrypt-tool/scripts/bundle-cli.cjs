// Bundles the CLI (dist/cli/main.js, as tsc wrote it) into one file, dist/cli/bundle.js, which
// bin/viva-drop.js runs. Start-up is most of a small command's time, and most of start-up was loading
// ~170 files (zod alone is 95, 64 of them translations of its error messages): one file, English only,
// takes a third less. Laziness survives bundling: a module the sources load with `await import()` inside
// an action is wrapped by esbuild and evaluated on first use.
//
// What stays a separate file: npm packages other than commander and zod (Azure SDKs, Azurite, database
// drivers and cli-progress load from node_modules on first use, as before), and the parser worker
// (dist/decrypt/validate-worker.js, its own thread). The bundle sits in dist/cli/, one folder below
// dist/ like every module it holds, so `__dirname`-relative paths in them still point to the same place.
// The library (dist/index.js) is not bundled.
// usage: node scripts/bundle-cli.cjs   (after tsc)
"use strict";
const path = require("node:path");
const esbuild = require("esbuild");

const DIST = path.join(__dirname, "..", "dist");
const BUNDLED_PACKAGES = new Set(["commander", "zod"]);

/** Every bare import stays external except the packages bundled for start-up. */
const externalPackages = {
  name: "external-packages",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      const name = args.path.startsWith("@") ? args.path.split("/").slice(0, 2).join("/") : args.path.split("/")[0];
      return BUNDLED_PACKAGES.has(name) ? undefined : { path: args.path, external: true };
    });
  },
};

/** zod loads its error messages in ~40 languages at start-up; viva-drop reports in English only. */
const zodEnglishOnly = {
  name: "zod-english-only",
  setup(build) {
    build.onResolve({ filter: /[\\/]locales[\\/]index\.c?js$/ }, (args) =>
      args.importer.includes(`${path.sep}zod${path.sep}`) ? { path: "zod-locales-en", namespace: "zod-locales" } : undefined,
    );
    build.onResolve({ filter: /^\.\/en\.c?js$/, namespace: "zod-locales" }, () => ({ path: require.resolve("zod/v4/locales/en.cjs") }));
    build.onLoad({ filter: /.*/, namespace: "zod-locales" }, () => ({
      contents: 'exports.en = require("./en.cjs").default;\n',
      loader: "js",
      resolveDir: path.dirname(require.resolve("zod/v4/locales/en.cjs")),
    }));
  },
};

async function main() {
  await esbuild.build({
    entryPoints: [path.join(DIST, "cli", "main.js")],
    outfile: path.join(DIST, "cli", "bundle.js"),
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    sourcemap: true,
    plugins: [externalPackages, zodEnglishOnly],
    logLevel: "warning",
  });
}

main().catch((error) => {
  process.stderr.write(`bundle-cli: ${error && error.message ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
