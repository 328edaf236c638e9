import type { ProviderImplementation } from "./runtime-provider";

/** The state property in which Pulumi keeps a dynamic resource's serialized provider. */
const PROVIDER_KEY = "__provider";

/**
 * Wraps a provider implementation so that resources whose state still holds another serialized
 * provider — the 35-40 KB closures written before `runtimeProvider` — get the small one:
 * when nothing but `__provider` differs, `diff` reports a change, and `update` then keeps the
 * resource's outputs without calling Azure. Pulumi stores the new `__provider` with the result.
 */
export function upgradingSerializedProvider<Inputs, Outputs>(provider: ProviderImplementation<Inputs, Outputs>): ProviderImplementation<Inputs, Outputs> {
  return {
    ...provider,
    async diff(id, olds, news) {
      const result = await provider.diff(id, olds, news);
      if (result.changes || serializedProviderOf(olds) === serializedProviderOf(news)) return result;
      return { ...result, changes: true };
    },
    async update(id, olds, news) {
      if ((await provider.diff(id, olds, news)).changes) return provider.update(id, olds, news);
      const { [PROVIDER_KEY]: _old, ...outs } = olds as Record<string, unknown>;
      return { outs: outs as Outputs };
    },
  };
}

function serializedProviderOf(props: unknown): unknown {
  return (props as Record<string, unknown> | undefined)?.[PROVIDER_KEY];
}
