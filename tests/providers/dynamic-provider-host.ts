import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";

// The engine's side of the gRPC conversation, with the very modules the Pulumi SDK uses.
const requireFromHere = createRequire(__filename);
const pulumiDir = path.dirname(requireFromHere.resolve("@pulumi/pulumi/package.json"));
const requireFromPulumi = createRequire(path.join(pulumiDir, "index.js"));
/* eslint-disable @typescript-eslint/no-explicit-any */
const grpc = requireFromPulumi("@grpc/grpc-js") as any;
const providerRpc = requireFromPulumi("./proto/provider_grpc_pb") as any;
const providerProto = requireFromPulumi("./proto/provider_pb") as any;
const structProto = requireFromPulumi("google-protobuf/google/protobuf/struct_pb") as any;

/** Pulumi's dynamic-provider host, the program that runs dynamic resources' serialized providers. */
export const DYNAMIC_PROVIDER_HOST = path.join(pulumiDir, "cmd", "dynamic-provider", "index.js");

/** What the host answered to Check. */
export interface CheckAnswer {
  inputs: Record<string, unknown>;
  failures: { property: string; reason: string }[];
}

/**
 * Pulumi's real dynamic-provider host in a fresh `node` process, driven over gRPC the way the
 * engine drives it: Configure with the stack config, then Check/Diff/Create with properties that
 * carry the serialized provider in `__provider`.
 */
export class DynamicProviderHost {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: any,
    readonly stderr: () => string,
  ) {}

  /** Starts the host in `cwd` (Pulumi starts it in the project folder) with only `env` in its environment. */
  static async start(cwd: string, env: Record<string, string> = {}): Promise<DynamicProviderHost> {
    const child = spawn(process.execPath, [DYNAMIC_PROVIDER_HOST, "127.0.0.1:1"], { cwd, env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const port = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const line = out.split("\n")[0];
        if (out.includes("\n")) resolve(line.trim());
      });
      child.once("exit", (code) => reject(new Error(`the dynamic-provider host exited with ${code}: ${stderr}`)));
    });
    const client = new providerRpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new DynamicProviderHost(child, client, () => stderr);
  }

  /** Configure: the stack configuration, `project:key` → value, as the engine passes it. */
  configure(config: Record<string, string>): Promise<void> {
    const request = new providerProto.ConfigureRequest();
    request.setArgs(structProto.Struct.fromJavaScript(config));
    return this.call("configure", request).then(() => undefined);
  }

  async check(olds: Record<string, unknown>, news: Record<string, unknown>): Promise<CheckAnswer> {
    const request = new providerProto.CheckRequest();
    request.setOlds(structProto.Struct.fromJavaScript(olds));
    request.setNews(structProto.Struct.fromJavaScript(news));
    const response = await this.call("check", request);
    return {
      inputs: response.getInputs().toJavaScript(),
      failures: response.getFailuresList().map((f: any) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  async diff(id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<{ changes: boolean; replaces: string[] }> {
    const request = new providerProto.DiffRequest();
    request.setId(id);
    request.setOlds(structProto.Struct.fromJavaScript(olds));
    request.setNews(structProto.Struct.fromJavaScript(news));
    const response = await this.call("diff", request);
    return { changes: response.getChanges() === providerProto.DiffResponse.DiffChanges.DIFF_SOME, replaces: response.getReplacesList() };
  }

  /** Create; resolves to the error message the host returns when the provider fails. */
  async create(properties: Record<string, unknown>): Promise<{ id?: string; error?: string }> {
    const request = new providerProto.CreateRequest();
    request.setProperties(structProto.Struct.fromJavaScript(properties));
    try {
      const response = await this.call("create", request);
      return { id: response.getId() };
    } catch (error) {
      return { error: (error as { details?: string }).details ?? String(error) };
    }
  }

  /** Stops the host (by its pid) and closes the channel. */
  async stop(): Promise<void> {
    this.client.close();
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill("SIGTERM");
    await exited;
  }

  private call(method: string, request: unknown): Promise<any> {
    return new Promise((resolve, reject) => this.client[method](request, (error: unknown, response: unknown) => (error ? reject(error) : resolve(response))));
  }
}
