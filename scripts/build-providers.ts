/**
 * Compiles the dynamic provider implementations (components/providers/*-provider.ts and what
 * they import) to dist/providers, where the serialized provider stubs load them at run time
 * (components/providers/runtime-provider.ts), and writes the manifest of the sources they were
 * built from (components/providers/provider-build.ts checks it before a deployment).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import ts from "typescript";
import { PROVIDER_BUILD_MANIFEST, sourceHash, type ProviderBuildManifest } from "../components/providers/provider-build";

const ROOT = join(__dirname, "..");

function build(): number {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(ROOT, "tsconfig.providers.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: report });
  if (!parsed) return 1;
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  const emitted = program.emit();
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
  diagnostics.forEach(report);
  if (diagnostics.some((d) => d.category === ts.DiagnosticCategory.Error) || emitted.emitSkipped) return 1;
  const manifest: ProviderBuildManifest = { sources: {} };
  for (const file of program.getSourceFiles()) {
    if (file.isDeclarationFile || file.fileName.includes("/node_modules/")) continue;
    const source = relative(ROOT, file.fileName).split("\\").join("/");
    manifest.sources[source] = sourceHash(readFileSync(file.fileName, "utf8"));
  }
  const out = join(ROOT, PROVIDER_BUILD_MANIFEST);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(manifest, null, 2)}\n`);
  return 0;
}

function report(diagnostic: ts.Diagnostic): void {
  process.stderr.write(ts.formatDiagnostic(diagnostic, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => "\n" }));
}

process.exitCode = build();
