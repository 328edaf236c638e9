import { FakeService, azureError, type FakeResponse, type RecordedRequest } from "./http-recorder";

interface StoredTrigger {
  properties: Record<string, unknown>;
  runtimeState: "Started" | "Stopped";
}

const TRIGGER_PATH = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.DataFactory\/factories\/([^/]+)\/triggers\/([^/]+)(?:\/(start|stop))?$/i;
const DATASET_PATH = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.DataFactory\/factories\/[^/]+\/datasets\/[^/]+$/i;
const OPERATION_PATH = /^\/subscriptions\/[^/]+\/providers\/Microsoft\.DataFactory\/operationResults\/([^/]+)$/i;

/**
 * An in-memory ARM endpoint for Data Factory triggers and datasets, answering like the service: PUT
 * creates stopped triggers and refuses to change started ones (TriggerEnabledCannotUpdate), start
 * and stop are long-running (202 with a Location polled until done), a started trigger cannot be
 * deleted; datasets are created or replaced by PUT and kept as sent.
 */
export class FakeDataFactory extends FakeService {
  readonly triggers = new Map<string, StoredTrigger>();
  /** Dataset `properties` as PUT, by lower-cased path. */
  readonly datasets = new Map<string, Record<string, unknown>>();
  private readonly pendingOperations = new Map<string, () => void>();
  private nextOperation = 1;

  /** The requests as "METHOD path" lines, operation polling left out. */
  calls(): string[] {
    return this.requests.filter((r) => !OPERATION_PATH.test(r.path)).map((r) => `${r.method} ${r.path}`);
  }

  protected respond(request: RecordedRequest): FakeResponse {
    if (request.authorization !== "Bearer test-token") return { status: 401, body: azureError("AuthenticationFailed", "no token") };
    if (request.url.searchParams.get("api-version") !== "2018-06-01") return { status: 400, body: azureError("InvalidApiVersion", "expected 2018-06-01") };
    const failure = this.failures.take(request);
    if (failure) return failure;
    const operation = OPERATION_PATH.exec(request.path);
    if (operation && request.method === "GET") return this.completeOperation(operation[1]);
    if (DATASET_PATH.test(request.path)) return this.dataset(request);
    const match = TRIGGER_PATH.exec(request.path);
    if (!match) return { status: 404, body: azureError("NotFound", `fake ARM cannot answer ${request.method} ${request.path}`) };
    const [, subscription, , , , action] = match;
    const key = request.path.replace(/\/(start|stop)$/, "").toLowerCase();
    if (request.method === "PUT") return this.put(key, request);
    if (request.method === "GET") return this.get(key, request.path);
    if (request.method === "DELETE") return this.delete(key);
    if (request.method === "POST" && action) return this.setState(key, subscription, action === "start" ? "Started" : "Stopped");
    return { status: 405, body: azureError("MethodNotAllowed", `${request.method} ${request.path}`) };
  }

  private put(key: string, request: RecordedRequest): FakeResponse {
    const existing = this.triggers.get(key);
    if (existing?.runtimeState === "Started") {
      return { status: 400, body: azureError("TriggerEnabledCannotUpdate", "Cannot update enabled Trigger; it needs to be disabled first.") };
    }
    const { properties } = request.body as { properties: Record<string, unknown> };
    this.triggers.set(key, { properties, runtimeState: "Stopped" });
    return { status: 200, body: this.resource(request.path, this.triggers.get(key)!) };
  }

  private get(key: string, path: string): FakeResponse {
    const trigger = this.triggers.get(key);
    return trigger ? { status: 200, body: this.resource(path, trigger) } : { status: 404, body: azureError("NotFound", "Entity not found") };
  }

  private delete(key: string): FakeResponse {
    const trigger = this.triggers.get(key);
    if (!trigger) return { status: 204 };
    if (trigger.runtimeState === "Started") return { status: 400, body: azureError("TriggerEnabledCannotDelete", "Cannot delete enabled Trigger; it needs to be disabled first.") };
    this.triggers.delete(key);
    return { status: 200 };
  }

  private setState(key: string, subscription: string, state: "Started" | "Stopped"): FakeResponse {
    const trigger = this.triggers.get(key);
    if (!trigger) return { status: 404, body: azureError("NotFound", "Entity not found") };
    const id = `op-${this.nextOperation++}`;
    this.pendingOperations.set(id, () => (trigger.runtimeState = state));
    return {
      status: 202,
      headers: { location: `https://management.azure.com/subscriptions/${subscription}/providers/Microsoft.DataFactory/operationResults/${id}?api-version=2018-06-01` },
    };
  }

  private completeOperation(id: string): FakeResponse {
    const complete = this.pendingOperations.get(id);
    if (!complete) return { status: 404, body: azureError("NotFound", `operation ${id}`) };
    complete();
    this.pendingOperations.delete(id);
    return { status: 200 };
  }

  private dataset(request: RecordedRequest): FakeResponse {
    const key = request.path.toLowerCase();
    const resource = (properties: Record<string, unknown>) => ({
      id: request.path,
      name: request.path.split("/").at(-1),
      type: "Microsoft.DataFactory/factories/datasets",
      etag: "0b000000-0000-0000-0000-000000000000",
      properties,
    });
    if (request.method === "PUT") {
      const body = request.body as { properties?: unknown } | undefined;
      if (!body || typeof body.properties !== "object" || body.properties === null) return { status: 400, body: azureError("BadRequest", "properties are required") };
      this.datasets.set(key, body.properties as Record<string, unknown>);
      return { status: 200, body: resource(this.datasets.get(key)!) };
    }
    const stored = this.datasets.get(key);
    if (request.method === "GET") return stored ? { status: 200, body: resource(stored) } : { status: 404, body: azureError("NotFound", "Entity not found") };
    if (request.method === "DELETE") {
      if (!stored) return { status: 204 };
      this.datasets.delete(key);
      return { status: 200 };
    }
    return { status: 405, body: azureError("MethodNotAllowed", `${request.method} ${request.path}`) };
  }

  private resource(path: string, trigger: StoredTrigger): Record<string, unknown> {
    const id = path.replace(/\/(start|stop)$/, "");
    return {
      id,
      name: id.split("/").at(-1),
      type: "Microsoft.DataFactory/factories/triggers",
      etag: "0a000000-0000-0000-0000-000000000000",
      properties: { ...trigger.properties, runtimeState: trigger.runtimeState },
    };
  }
}
