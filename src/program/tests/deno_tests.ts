// `tph test` on `deno test`: each test's function runs as a trace() block of its own, stored as a
// run labelled with the test's name (blocks.ts), its outcome failed when the function throws.
// `Deno.test` (and `Deno.test.only`) is replaced by a function that registers the same test with
// the same options, its function wrapped; what Deno reports, filters and sanitizes is unchanged.
// Ignored tests are registered as they are. A test's steps (`t.step`, on which std's BDD
// `describe`/`it` run nested in a top-level suite's test) are runs of their own too, named
// `test › step` (deeper steps likewise), each step's calls in its run; a test whose step failed is
// stored failed, as Deno reports it.

import { relative } from "node:path";
import process from "../../platform/node_process.ts";
import { apply, bare, protoOf } from "../../platform/intrinsics.ts";
import type { TestInfo } from "../../types.ts";
import {
  decodeURIComponent,
  encodeURIComponent,
  Error,
  Object,
  Promise,
  URL,
} from "../../platform/globals.ts";

/** Captured before the tests load. */
const { defineProperty } = Object;
const bind = Function.prototype.bind;
const promiseProto = Promise.prototype;
const promiseThen = promiseProto.then;

type Fn = (t: unknown) => unknown;
/** Runs a test's function as a block of its own (trace.ts's runTest). */
type RunTest = (
  fn: () => unknown,
  test: Omit<TestInfo, "outcome">,
  failedAlso?: () => unknown,
) => Promise<unknown>;
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

/** Makes the function that stands for a test context's `step` (the wrapping module's). */
type Stepping = (
  step: Register,
  change: (a: unknown[]) => unknown[],
  ap: typeof apply,
  after: (result: unknown) => unknown,
) => Register;

/** Set by installDenoTests once the wrapping module is loaded. */
let stepping: Stepping | null = null;

/**
 * Have the steps a test (or a step) runs through its context `t` run as blocks of their own,
 * named after it (`name › step`), each step Deno reports failed counted in `failed`. The context
 * is Deno's: its `step` (an own property) is replaced on it.
 */
function holdSteps(
  runTest: RunTest,
  t: unknown,
  name: string,
  file: string,
  failed: { steps: number },
): void {
  if (stepping === null || t === null || typeof t !== "object") return;
  const step = (t as { step?: unknown }).step;
  if (typeof step !== "function") return;
  // Whether the step being registered ran its function (an ignored one does not).
  let ran = { yes: false };
  const change = (args: unknown[]) => {
    ran = { yes: false };
    return wrapArgs(runTest, args, file, `${name} › `, ran);
  };
  // Deno's step resolves to whether the step passed, false for an ignored one too (a promise of
  // Deno's, looked at here, and handed to the test as it is).
  const after = (result: unknown) => {
    const stepRan = ran;
    if (result !== null && typeof result === "object" && protoOf(result) === promiseProto) {
      apply(promiseThen, result, [(ok: unknown) => {
        if (ok === false && stepRan.yes) failed.steps++;
      }, () => {}]);
    }
    return result;
  };
  defineProperty(t, "step", {
    value: stepping(step as Register, change, apply, after),
    writable: true,
    configurable: true,
    enumerable: true,
  });
}

/** A test's function, wrapped to run as a block named after the test (its own name kept). */
function wrap(runTest: RunTest, fn: Fn, name: string, file: string, ran?: { yes: boolean }): Fn {
  const wrapped = function (this: unknown, t: unknown) {
    if (ran !== undefined) ran.yes = true;
    const failed = { steps: 0 };
    holdSteps(runTest, t, name, file, failed);
    return runTest(
      apply(bind, fn, [this, t]) as () => unknown,
      { name, file, runner: "deno" },
      () =>
        failed.steps === 0
          ? undefined
          : new Error(`${failed.steps} test step${failed.steps === 1 ? "" : "s"} failed`),
    );
  };
  defineProperty(wrapped, "name", bare({ value: fn.name, configurable: true }));
  return wrapped;
}

/**
 * The arguments of a `Deno.test` call with the test's function wrapped, in the same shape:
 * `(definition)`, `(name, fn)`, `(fn)`, `(name, options, fn)`, `(options, fn)`.
 */
function wrapArgs(
  runTest: RunTest,
  args: unknown[],
  file: string,
  prefix = "",
  ran?: { yes: boolean },
): unknown[] {
  const last = args[args.length - 1];
  if (typeof last === "function") {
    const fn = last as Fn;
    const first = args[0];
    const name = typeof first === "string" ? first : first !== null && typeof first === "object" &&
        typeof (first as { name?: unknown }).name === "string"
      ? (first as { name: string }).name
      : fn.name;
    return [...args.slice(0, -1), wrap(runTest, fn, prefix + name, file, ran)];
  }
  const def = args[0] as { name?: unknown; fn?: unknown } | null;
  if (
    args.length === 1 && def !== null && typeof def === "object" && typeof def.fn === "function"
  ) {
    const name = typeof def.name === "string" ? def.name : (def.fn as Fn).name;
    return [{ ...def, fn: wrap(runTest, def.fn as Fn, prefix + name, file, ran) }];
  }
  // Not a form Deno takes: Deno says what is wrong, as it would.
  return args;
}

/**
 * The functions that stand for `Deno.test` and a test context's `step`, made in a module of its
 * own whose URL is not a file's: Deno names a test's (and a step's) place after the first frame of
 * the registering call that is a file's and not under node_modules, which must be the test file's,
 * as when Deno.test is called directly. Deno's `step` is an async function: so is its stand-in.
 */
const WRAPPER_SOURCE = "export function wrapping(register, change, apply) {\n" +
  "  return function test(...args) { return apply(register, this, change(args)); };\n}\n" +
  "export function stepping(original, change, apply, after) {\n" +
  "  return async function step(...args) { return after(apply(original, this, change(args))); };\n" +
  "}\n";

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
  const wrappers = await import(
    `data:text/javascript,${encodeURIComponent(WRAPPER_SOURCE)}`
  ) as {
    wrapping: (r: Register, change: (a: unknown[]) => unknown[], ap: typeof apply) => Register;
    stepping: Stepping;
  };
  const wrapping = wrappers.wrapping;
  stepping = wrappers.stepping;
  const change = (args: unknown[]) => wrapArgs(runTest, args, callerFile());
  const test = wrapping(original, change, apply) as Register & {
    only?: Register;
    ignore?: Register;
  };
  if (typeof original.only === "function") test.only = wrapping(original.only, change, apply);
  if (typeof original.ignore === "function") test.ignore = original.ignore;
  defineProperty(
    deno,
    "test",
    bare({
      value: test,
      writable: true,
      configurable: true,
      enumerable: true,
    }),
  );
}
