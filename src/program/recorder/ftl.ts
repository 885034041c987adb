/**
 * tph's own functions kept from JavaScriptCore's last tier (FTL) on Bun and the binary, for a
 * trace whose recording is bounded (keepRecorderFromFtl).
 *
 * The recorder's functions are compiled by FTL, several of them more than once (keep,
 * keepReturn, briefIndex, nested, e3, fmtObject, the external calls' paths…: ~500 ms of the
 * compiler thread's CPU for marked every call, counted in the program's process, on two cores
 * the program needs too); their DFG code is nearly as fast. Kept from FTL, a run that records up
 * to FTL_KEPT_UP_TO calls saves that (and a default run past its limit loses nothing: measured).
 * A run recording millions of calls every call loses: FTL's code, inlined into the program's,
 * is ~10–18% faster a call (fib past ~0.5M calls, marked past ~7M) — there FTL stays. Only
 * tph's functions: the program's own keep FTL (its speed is not tph's to change).
 * Elsewhere nothing is done.
 */

import process from "../../platform/node_process.ts";

/** The largest call limit of a first trace for which tph's functions are kept from FTL. */
export const FTL_KEPT_UP_TO = 1_000_000;

// deno-lint-ignore no-explicit-any
const builtinModule: ((name: string) => any) | null = (globalThis as any).Bun !== undefined
  // deno-lint-ignore no-explicit-any
  ? (process as any).getBuiltinModule?.bind(process) ?? null
  : null;

let noFtlFn: ((f: unknown) => unknown) | null | undefined;

/** Bun's `noFTL` (bun:jsc), got when first asked for; null elsewhere or when it is not there. */
export function bunNoFtl(): ((f: unknown) => unknown) | null {
  if (noFtlFn === undefined) {
    noFtlFn = null;
    try {
      const f = builtinModule?.("bun:jsc")?.noFTL;
      if (typeof f === "function") noFtlFn = f;
    } catch {
      // Not there: FTL as usual.
    }
  }
  return noFtlFn ?? null;
}

/** The lists of functions given by the recorder's modules (ftlCandidates), while not decided. */
let lists: (readonly unknown[])[] | null = builtinModule !== null ? [] : null;

/** A module's functions, kept from FTL on Bun if the first trace's recording is bounded. */
export function ftlCandidates(fns: readonly unknown[]): void {
  if (lists !== null) lists[lists.length] = fns;
}

/**
 * The first trace starts, recording up to `maxCalls` calls: on Bun, keep tph's functions
 * (ftlCandidates) from FTL if that is at most FTL_KEPT_UP_TO. Once: the choice is the process's.
 */
export function keepRecorderFromFtl(maxCalls: number): void {
  const all = lists;
  if (all === null) return;
  lists = null;
  if (!(maxCalls <= FTL_KEPT_UP_TO)) return;
  const noFtl = bunNoFtl();
  if (noFtl === null) return;
  for (let i = 0; i < all.length; i++) {
    const fns = all[i];
    for (let k = 0; k < fns.length; k++) noFtl(fns[k]);
  }
}
