// `tph test` on `deno test`: each test's function runs as a trace() block of its own, stored as a
// run labelled with the test's name (blocks.ts), its outcome failed when the function throws.
// `Deno.test` (and `Deno.test.only`) is replaced by a function that registers the same test with
// the same options, its function wrapped; what Deno reports, filters and sanitizes is unchanged.
// Ignored tests are registered as they are.

import { relative } from "node:path";
import process from "../../platform/node_process.ts";
import { apply } from "../../platform/intrinsics.ts";
import type { TestInfo } from "../../types.ts";

/** Captured before the tests load. */
const { defineProperty } = Object;
const bind = Function.prototype.bind;

type Fn = (t: unknown) => unknown;
/** Runs a test's function as a block of its own (trace.ts's runTest). */
type RunTest = (fn: () => unknown, test: Omit<TestInfo, "outcome">) => Promise<unknown>;
// deno-lint-ignore no-explicit-any
type Register = (...args: any[]) => unknown;

/** This module's own file, whose frames are not the test file's. */
const HERE = import.meta.url;

/**
 * The file that called `Deno.test`, as Deno names a test's place: the first frame of the stack that
 * is a file's, not under node_modules (so a test registered through a library, such as std's
 * `describe`/`it` from jsr, is the test file's), and not this module's.
 */
function callerFile(): string {
  const stack = new Error().stack ?? "";
  for (const line of stack.split("\n").slice(1)) {
    const m = /(file:\/\/[^\s)]+?):\d+:\d+\)?$/.exec(line.trim());
    if (m === null || m[1] === HERE || m[1].includes("/node_modules/")) continue;
    const path = decodeURIComponent(new URL(m[1]).pathname);
    return relative(process.cwd(), path) || path;
  }
  return "";
}

/** A test's function, wrapped to run as a block named after the test (its own name kept). */
function wrap(runTest: RunTest, fn: Fn, name: string, file: string): Fn {
  const wrapped = function (this: unknown, t: unknown) {
    return runTest(apply(bind, fn, [this, t]) as () => unknown, { name, file, runner: "deno" });
  };
  defineProperty(wrapped, "name", { value: fn.name, configurable: true });
  return wrapped;
}

/**
 * The arguments of a `Deno.test` call with the test's function wrapped, in the same shape:
 * `(definition)`, `(name, fn)`, `(fn)`, `(name, options, fn)`, `(options, fn)`.
 */
function wrapArgs(runTest: RunTest, args: unknown[], file: string): unknown[] {
  const last = args[args.length - 1];
  if (typeof last === "function") {
    const fn = last as Fn;
    const first = args[0];
    const name = typeof first === "string" ? first : first !== null && typeof first === "object" &&
        typeof (first as { name?: unknown }).name === "string"
      ? (first as { name: string }).name
      : fn.name;
    return [...args.slice(0, -1), wrap(runTest, fn, name, file)];
  }
  const def = args[0] as { name?: unknown; fn?: unknown } | null;
  if (
    args.length === 1 && def !== null && typeof def === "object" && typeof def.fn === "function"
  ) {
    const name = typeof def.name === "string" ? def.name : (def.fn as Fn).name;
    return [{ ...def, fn: wrap(runTest, def.fn as Fn, name, file) }];
  }
  // Not a form Deno takes: Deno says what is wrong, as it would.
  return args;
}

/**
 * The function that stands for `Deno.test`, made in a module of its own whose URL is not a file's:
 * Deno names a test's place after the first frame of the registering call that is a file's and
 * not under node_modules, which must be the test file's, as when Deno.test is called directly.
 */
const WRAPPER_SOURCE = "export function wrapping(register, change, apply) {\n" +
  "  return function test(...args) { return apply(register, this, change(args)); };\n}\n";

/**
 * Make each test that `deno test` registers from here on run as a block of its own. Call from the
 * preload, and await, before the test modules load.
 *
 * @param runTest Runs a test's function as a block of its own (trace.ts).
 */
export async function installDenoTests(runTest: RunTest): Promise<void> {
  // deno-lint-ignore no-explicit-any
  const deno = (globalThis as any).Deno;
  const original = deno?.test as (Register & { only?: Register; ignore?: Register }) | undefined;
  if (typeof original !== "function") return;
  const { wrapping } = await import(
    `data:text/javascript,${encodeURIComponent(WRAPPER_SOURCE)}`
  ) as {
    wrapping: (r: Register, change: (a: unknown[]) => unknown[], ap: typeof apply) => Register;
  };
  const change = (args: unknown[]) => wrapArgs(runTest, args, callerFile());
  const test = wrapping(original, change, apply) as Register & {
    only?: Register;
    ignore?: Register;
  };
  if (typeof original.only === "function") test.only = wrapping(original.only, change, apply);
  if (typeof original.ignore === "function") test.ignore = original.ignore;
  defineProperty(deno, "test", {
    value: test,
    writable: true,
    configurable: true,
    enumerable: true,
  });
}
