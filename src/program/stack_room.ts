// Stack room for the traced program. Every recorded function has a try/catch/finally and a
// prologue, so its frames are bigger: a recursion that fits the runtime's stack plainly would
// overflow under tph. The program's process gets a bigger JavaScript stack, so that it reaches at
// least the depth it reaches plainly (bench/one_off.ts stack-depth; docs/performance.md).
//
// - Deno: V8's `--stack-size` (`--v8-flags`, not in the program's process.execArgv). It applies
//   to every isolate, and Deno runs workers on threads of 4 MiB of stack (checked with deno
//   2.9.6: a worker's recursion overflows that stack, and the process aborts, from a size of
//   4,100 KiB): 3,444 KiB (3.5 times V8's 984) keeps ~650 KiB of it for native code.
// - Bun and the binary: JavaScriptCore's cap on a thread's stack use, `maxPerThreadStackUsage`
//   (5 MiB by default), through `BUN_JSC_maxPerThreadStackUsage` in the environment (the preload
//   takes it out of process.env). JavaScriptCore uses at most the thread's real stack anyway,
//   so workers keep what they have.
//
// Both need the main thread's stack (the soft RLIMIT_STACK, `ulimit -s`, 8 MiB by default) to
// hold that plus room for native code: when it is smaller and the hard limit allows, the program
// is started through `/bin/sh -c 'ulimit -S -s N; exec "$@"'`, which then applies to the processes
// it starts too (only a bigger limit: the kernel grows the main thread's stack up to it). An
// unlimited one is left as it is, though Bun then takes the main thread's stack as 8 MiB (checked
// with bun 1.4.5: 73,586 frames under a 20 MiB cap, 186,043 under a soft limit of 1 GiB): a
// finite limit would bind the processes the program starts.
//
// Measured (single descent of a one-argument function, bench/programs/deep.ts): Deno 18,231
// plain (10,805 when V8 has not optimized it yet), 5,661–8,672 traced at V8's default and
// 19,974–20,299 at 3,444 KiB; Bun 45,609 plain, 29,024 traced at the default cap and 118,391 at
// 20 MiB.

/** V8's default `--stack-size` on 64-bit systems, in KiB. */
import { Math, Number } from "../platform/globals.ts";
export const V8_DEFAULT_KIB = 984;
/** V8 stack for the traced program on Deno, in KiB (see above). */
export const V8_TRACED_KIB = 3444;
/** JavaScriptCore's default `maxPerThreadStackUsage`, in bytes. */
export const JSC_DEFAULT_BYTES = 5 * 1024 * 1024;
/** JavaScriptCore's cap for the traced program on Bun, in bytes. */
export const JSC_TRACED_BYTES = 20 * 1024 * 1024;
/** The variable Bun reads JavaScriptCore's option from. */
export const JSC_STACK_ENV = "BUN_JSC_maxPerThreadStackUsage";

/**
 * Room kept on the main thread's stack beyond the engine's limit, for native code called at the
 * deepest point, in KiB: what Bun leaves plainly (8 MiB less its 5 MiB cap).
 */
const NATIVE_KIB = 3 * 1024;

/** The soft and hard RLIMIT_STACK in KiB; null for unlimited. */
export interface StackLimit {
  soft: number | null;
  hard: number | null;
}

/**
 * The stack limit from the text of `/proc/self/limits` (Linux).
 *
 * @param text The file's text.
 * @returns The limits, or null when the text has no stack line.
 */
export function parseStackLimit(text: string): StackLimit | null {
  const m = /^Max stack size\s+(\S+)\s+(\S+)/m.exec(text);
  if (m === null) return null;
  const kib = (v: string) => v === "unlimited" ? null : Math.floor(Number(v) / 1024);
  const soft = kib(m[1]);
  const hard = kib(m[2]);
  if (Number.isNaN(soft) || Number.isNaN(hard)) return null;
  return { soft, hard };
}

/** How the traced program's process is given its stack room. */
export interface StackRoom {
  /** `ulimit -s` to start it with (KiB), or null to leave the limit as it is. */
  ulimitKiB: number | null;
  /** Deno: V8's `--stack-size` (KiB), or null for the default. */
  v8KiB: number | null;
  /** Bun: JavaScriptCore's `maxPerThreadStackUsage` (bytes), or null for the default. */
  jscBytes: number | null;
}

/**
 * The stack room for a runtime, given the stack limit tph runs under (the program's process
 * inherits it). An unknown limit (no /proc) is taken as the usual 8 MiB, unlimited hard.
 *
 * @param runtime The program's runtime.
 * @param limit The limit, or null when unknown.
 * @param canRaise Whether the limit can be raised for the program (a shell to do it).
 */
export function stackRoom(
  runtime: "deno" | "bun",
  limit: StackLimit | null,
  canRaise = true,
): StackRoom {
  const { soft, hard } = limit ?? { soft: 8192, hard: null };
  const wantKiB = runtime === "deno" ? V8_TRACED_KIB : JSC_TRACED_BYTES / 1024;
  const plainKiB = runtime === "deno" ? V8_DEFAULT_KIB : JSC_DEFAULT_BYTES / 1024;
  const needKiB = wantKiB + NATIVE_KIB;
  let ulimitKiB: number | null = null;
  let stackKiB = soft;
  if (canRaise && soft !== null && soft < needKiB) {
    ulimitKiB = hard === null ? needKiB : Math.min(needKiB, hard);
    if (ulimitKiB <= soft) ulimitKiB = null;
    else stackKiB = ulimitKiB;
  }
  const engineKiB = stackKiB === null ? wantKiB : Math.min(wantKiB, stackKiB - NATIVE_KIB);
  // Never less than the runtime gives plainly (a small limit is the program's as it is).
  const room = engineKiB > plainKiB ? engineKiB : null;
  return {
    ulimitKiB,
    v8KiB: runtime === "deno" ? room : null,
    jscBytes: runtime === "bun" && room !== null ? room * 1024 : null,
  };
}
