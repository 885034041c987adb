// A run per request for the servers a program starts (request_runs.ts): node:http's on each
// runtime, `Deno.serve` on Deno, `Bun.serve` on Bun.

import type { TraceLimits } from "../../run_file/limits.ts";
import { installNodeHttp } from "./node_http.ts";
import { useRequestRuns } from "./request_runs.ts";
import { type Prune, type StoreSettings, useRequestStore } from "./request_store.ts";
import { installBunServe, installDenoServe } from "./web_serve.ts";
import { currentRequest } from "./current.ts";
import { setContextSource } from "../propagate/context.ts";
import { parseTraceparent } from "../../store/trace_context.ts";

/**
 * Give each request the program serves a run of its own, with these limits.
 *
 * @param limits The run's limits and filters.
 * @param settings Where and how runs are stored (the trace() blocks' settings).
 * @param prune Keeps the cache within max_runs and max_cache_mb.
 */
export function installRequestRuns(
  limits: TraceLimits,
  settings: () => StoreSettings | null,
  prune: Prune,
): void {
  useRequestStore(settings, prune);
  useRequestRuns(limits);
  // A request's outgoing requests carry on the trace it brought (else its run's own trace id).
  setContextSource(() => {
    const r = currentRequest();
    const p = r?.traceparent == null ? null : parseTraceparent(r.traceparent);
    return p === null ? null : { traceId: p.traceId, flags: p.flags, traceState: r!.tracestate };
  });
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  if (g.Deno !== undefined) {
    installDenoServe(g.Deno);
    installNodeHttp("deno");
  } else if (g.Bun !== undefined) {
    // node:http's servers listen through Bun.serve: its emit is wrapped then.
    installBunServe(g.Bun, () => installNodeHttp("bun"));
  } else installNodeHttp("node");
}
