import type * as pulumi from "@pulumi/pulumi";

/**
 * Where `npm run build` (and `npm ci`, through the `prepare` script) compiles the provider
 * implementations, relative to the project root: `<root>/dist/providers/<module>.js`.
 */
export const PROVIDER_BUILD_DIR = "dist/providers";

/** A provider implementation: every method present, so the stub can forward each one. */
export type ProviderImplementation<Inputs, Outputs> = Required<pulumi.dynamic.ResourceProvider<Inputs, Outputs>>;

/**
 * The provider object handed to `pulumi.dynamic.Resource`. Pulumi serializes it into every
 * dynamic resource's state (`__provider`); serializing the real provider would pull in every
 * function it reaches (~35-40 KB). This one only forwards each method to the implementation,
 * which it `require`s at run time from the compiled project: what lands in the state is these
 * few forwarding functions, the module path and the export name — about 2 KB.
 *
 * Pulumi's dynamic-provider host (`@pulumi/pulumi/cmd/dynamic-provider`) loads the text with
 * `require-from-string` under plain Node.js, started from the project folder (where Pulumi.yaml
 * is). It registers no TypeScript loader, so the implementation must be compiled JavaScript:
 * `modulePath` names the TypeScript source (`components/providers/tenant-key-provider`), and the
 * stub loads its build in {@link PROVIDER_BUILD_DIR}.
 *
 * @param modulePath source module of the implementation, relative to the project root, without extension
 * @param exportName the export holding a {@link ProviderImplementation}
 */
export function runtimeProvider<Inputs, Outputs>(modulePath: string, exportName: string): pulumi.dynamic.ResourceProvider<Inputs, Outputs> {
  const implementation = (): ProviderImplementation<Inputs, Outputs> => loadProviderImplementation(modulePath, exportName, PROVIDER_BUILD_DIR);
  return {
    configure: async (req) => implementation().configure(req),
    check: async (olds, news) => implementation().check(olds, news),
    diff: async (id, olds, news) => implementation().diff(id, olds, news),
    create: async (inputs) => implementation().create(inputs),
    read: async (id, props) => implementation().read(id, props),
    update: async (id, olds, news) => implementation().update(id, olds, news),
    delete: async (id, props) => implementation().delete(id, props),
  };
}

/**
 * Finds `<buildDir>/<modulePath>.js` in the working directory or the nearest folder above it
 * that has one, and returns its `exportName` export. Serialized with the stub, so it may use
 * nothing but Node.js built-ins.
 */
export function loadProviderImplementation<T>(modulePath: string, exportName: string, buildDir: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const path = require("node:path") as typeof import("node:path");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fs = require("node:fs") as typeof import("node:fs");
  const relative = `${buildDir}/${modulePath}.js`;
  for (let dir = process.cwd(); ; dir = path.dirname(dir)) {
    const file = path.join(dir, relative);
    if (fs.existsSync(file)) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const implementation = (require(file) as Record<string, unknown>)[exportName];
      if (!implementation) throw new Error(`viva-partner: ${file} has no export ${exportName}: run \`npm run build\` in ${dir}`);
      return implementation as T;
    }
    if (path.dirname(dir) === dir) {
      throw new Error(
        `viva-partner: cannot find the compiled dynamic provider ${relative} in ${process.cwd()} or any folder above it: run \`npm run build\` (or \`npm ci\`) in the viva-partner project folder, where Pulumi runs dynamic providers`,
      );
    }
  }
}
