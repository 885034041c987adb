// What the processes and workers a program starts on Bun see of tph.
//
// Bun's `Bun.spawn` and `Bun.spawnSync`, given no `env`, pass the child the environment the process
// started with (later changes to `process.env` are not seen). Under tph that environment holds
// tph's own variables (the settings file, the stack room), which the program's process removed from
// `process.env`: a child would see them. So, on Bun, a command given no `env` gets the start-up
// environment without tph's variables, as it gets plainly. (Node's child_process functions on Bun
// always give one.) And a worker's `process.execArgv` is the process's as it started (`--preload`
// tph's preload among them) unless its options give one: a worker given none gets the program's,
// which tph cleaned. Runs in the program's process: built-ins as captured before the program ran.

import process from "../platform/node_process.ts";
import { standIn } from "./loader/original_text.ts";
import { Object } from "../platform/globals.ts";
import {
  apply as reflectApply,
  defineAll,
  defineProperty,
  getOwn,
  getOwnAll,
  hasOwn,
  isArray,
  reflectConstruct,
} from "../platform/intrinsics.ts";

/**
 * The environment the process started with, without these variables.
 *
 * @param names tph's variables.
 */
export function startUpEnvWithout(names: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  const vars = process.env;
  for (const key of Object.keys(vars)) {
    let tph = false;
    for (let i = 0; i < names.length; i++) if (names[i] === key) tph = true;
    const value = vars[key];
    if (!tph && value !== undefined) env[key] = value;
  }
  return env;
}

/** Whether a command's options give an `env` of their own (read through its descriptor). */
function givesEnv(options: unknown): boolean {
  if (options === null || typeof options !== "object") return false;
  const d = getOwn(options, "env");
  // A getter is the program's: Bun reads it as it would.
  return d !== undefined && (!hasOwn(d, "value") || d.value !== undefined);
}

/** The options with `key` set, their own properties copied as they are (no getter runs). */
function withOwn(options: unknown, key: string, value: unknown): object {
  const copy = options !== null && typeof options === "object"
    ? defineAll({}, getOwnAll(options))
    : {};
  defineProperty(copy, key, { value, writable: true, enumerable: true, configurable: true });
  return copy;
}

/**
 * On Bun, make `Bun.spawn` and `Bun.spawnSync` give a command that has no `env` this one.
 *
 * @param env The start-up environment without tph's variables.
 */
export function keepBunSpawnEnv(
  env: Record<string, string>,
  follow: BunFollow | null = null,
): void {
  // deno-lint-ignore no-explicit-any
  const bun = (globalThis as any).Bun;
  if (bun === undefined) return;
  for (const name of ["spawn", "spawnSync"] as const) {
    const real = bun[name];
    if (typeof real !== "function") continue;
    bun[name] = standIn(real, {
      apply(_real, self, args) {
        const first = args[0];
        const cmdForm = isArray(first);
        const options = cmdForm ? args[1] : first;
        const cmdOf = cmdForm
          ? undefined
          : options !== null && typeof options === "object"
          ? getOwn(options, "cmd")
          : undefined;
        const followed = follow?.(cmdForm ? first : cmdOf?.value) ?? null;
        if (followed !== null) {
          let own = withOwn(options, "env", followed.env(options, { ...env }));
          if (!cmdForm) own = withOwn(own, "cmd", followed.cmd);
          const call = cmdForm ? [followed.cmd, own] : [own];
          for (let i = call.length; i < args.length; i++) call[i] = args[i];
          const proc = reflectApply(real, self, call);
          followed.started(proc);
          return proc;
        }
        if (givesEnv(options)) return reflectApply(real, self, args);
        // A copy for each command: the child may not share one object with the next.
        const own = withOwn(options, "env", { ...env });
        const call = cmdForm ? [first, own] : [own];
        for (let i = call.length; i < args.length; i++) call[i] = args[i];
        return reflectApply(real, self, call);
      },
    });
  }
}

/**
 * Which commands Bun.spawn follows (follow.ts): for a command of a runtime's, the command with
 * tph's preload, the environment with the settings (`base`: the one a command given none gets),
 * and what to do once started; null for any other.
 */
export type BunFollow = (cmd: unknown) => {
  cmd: unknown[];
  env(options: unknown, base: Record<string, string>): object;
  started(proc: unknown): void;
} | null;

/** A Worker constructor whose workers get these runtime options unless given their own. */
function workerWith(Real: NewableFunction, execArgv: readonly string[]): NewableFunction {
  return standIn(Real, {
    construct(target: NewableFunction, args: unknown[], newTarget: NewableFunction) {
      const options = args[1];
      const own = options !== null && typeof options === "object" &&
        getOwn(options, "execArgv") !== undefined;
      if (own) return reflectConstruct(target, args, newTarget);
      const list: string[] = [];
      for (let i = 0; i < execArgv.length; i++) list[i] = execArgv[i];
      const call: unknown[] = [args[0], withOwn(options, "execArgv", list)];
      for (let i = 2; i < args.length; i++) call[i] = args[i];
      return reflectConstruct(target, call, newTarget);
    },
  });
}

/**
 * On Bun, make the workers the program starts (node:worker_threads' and the web's) see these
 * runtime options, as they see the process's plainly.
 *
 * @param execArgv The program's `process.execArgv`, tph's preload taken out.
 */
export function keepBunWorkerArgv(execArgv: readonly string[]): void {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  if (g.Bun === undefined) return;
  // deno-lint-ignore no-explicit-any
  const threads = (process as any).getBuiltinModule?.("node:worker_threads");
  if (threads !== undefined && typeof threads.Worker === "function") {
    threads.Worker = workerWith(threads.Worker, execArgv);
  }
  if (typeof g.Worker === "function") g.Worker = workerWith(g.Worker, execArgv);
}
