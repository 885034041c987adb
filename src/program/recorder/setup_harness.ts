// What the file `tph setup` writes calls on (`globalThis.__tph.setup(import.meta.url)`), so that
// the file holds only the calls a user reads and edits: it imports the configured modules, prints
// `✓ name returned: value` or `✗ name raised: error` for each call, and sets the exit code to 1
// when any failed. Its own code is tph's, not the project's: none of it is traced, so each
// configured call is a root of the run's tree.
//
// What it prints goes through the run's redaction, as the tree: the return value of a function
// whose name looks secret is "[redacted]", so are the values of fields and Map entries with such
// names inside a value, and known secrets and `redact_values` matches in the text.

import process from "../../platform/node_process.ts";
import types from "node:util/types";
import {
  Array,
  Boolean,
  console,
  Error,
  Map,
  Object,
  Promise,
  String,
  URL,
} from "../../platform/globals.ts";
import { hasOwn } from "../../platform/intrinsics.ts";
import { REDACTED, type Redaction } from "./redact.ts";

/** Shown by inspect as `[redacted]`, in the place of a secret field's value. */
const HIDDEN = { [Symbol.for("nodejs.util.inspect.custom")]: () => REDACTED };

/**
 * `v` as inspect should show it: a copy with the values of secret fields and Map entries
 * replaced by HIDDEN (as deep as inspect looks), or `v` itself when it holds none. Own data
 * properties only are read; proxies are left to inspect (their traps are not run here).
 */
function hideSecrets(v: unknown, rd: Redaction, depth: number): unknown {
  if (typeof v !== "object" || v === null || depth > SHOW.depth || types.isProxy(v)) return v;
  if (Array.isArray(v)) {
    let copy: unknown[] | null = null;
    const n = v.length < 100 ? v.length : 100;
    for (let i = 0; i < n; i++) {
      const d = Object.getOwnPropertyDescriptor(v, i);
      if (d === undefined || !hasOwn(d, "value")) continue;
      const shown = hideSecrets(d.value, rd, depth + 1);
      if (shown !== d.value) (copy ??= Array.prototype.slice.call(v) as unknown[])[i] = shown;
    }
    return copy ?? v;
  }
  if (types.isMap(v)) {
    const entries: [unknown, unknown][] = [];
    let changed = false;
    for (const [key, value] of Map.prototype.entries.call(v) as Iterable<[unknown, unknown]>) {
      const shown = typeof key === "string" && rd.secretKey(key)
        ? HIDDEN
        : hideSecrets(value, rd, depth + 1);
      changed ||= shown !== value;
      entries.push([key, shown]);
      if (entries.length === 100) break;
    }
    return changed ? new Map(entries) : v;
  }
  if (types.isNativeError(v) || types.isDate(v) || types.isRegExp(v) || types.isSet(v)) return v;
  const descs = Object.getOwnPropertyDescriptors(v);
  let changed = false;
  for (const key of Object.keys(descs)) {
    const d = descs[key];
    if (!hasOwn(d, "value")) continue;
    const shown = rd.secretKey(key) ? HIDDEN : hideSecrets(d.value, rd, depth + 1);
    if (shown !== d.value) {
      d.value = shown;
      changed = true;
    }
  }
  return changed ? Object.create(Object.getPrototypeOf(v), descs) : v;
}

/** How values are shown: one line, bounded. */
const SHOW = {
  depth: 4,
  breakLength: Infinity,
  compact: true,
  maxArrayLength: 20,
  maxStringLength: 200,
};

/** Terminal sequences and control characters: kept out of the lines the file prints. */
const CONTROL =
  // deno-lint-ignore no-control-regex -- the characters it removes
  /\x1b\[[0-?]*[ -\/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]/g;

/** The harness of one generated file. */
export interface SetupHarness {
  /** Import a module that has calls, under its heading; undefined (and its calls failed) if not. */
  module(file: string, specifier: string, calls: number, commonjs?: boolean): Promise<unknown>;
  /** Import a module for the classes of arguments only; undefined if it cannot be. */
  helper(file: string, specifier: string, commonjs?: boolean): Promise<unknown>;
  /** A call returned `value`. */
  ok(name: string, value: unknown): void;
  /** A generator call yielded `items` (its first 100). */
  yielded(name: string, items: unknown[]): void;
  /** The first 100 items of what a generator call gives (sync or async). */
  first(iterable: Iterable<unknown> | AsyncIterable<unknown>): Promise<unknown[]>;
  /** A call threw or rejected with `error`; `note` says what of its arguments may be wrong. */
  fail(name: string, error: unknown, note?: string): void;
  /** Every call was made: the exit code is 1 when any failed. */
  done(): void;
}

/**
 * The harness for the generated file at `base` (its `import.meta.url`); the first line it
 * prints is the heading of the whole file.
 */
export function setupHarness(base: string, rd: Redaction | null): SetupHarness {
  const { inspect } = process.getBuiltinModule("node:util") as typeof import("node:util");
  const env = process.env;
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || "";
  const plain = Boolean(env.NO_COLOR) || env.TERM === "dumb" ||
    (locale !== "" && !/utf-?8/i.test(locale));
  const OK = plain ? "ok" : "\u2713";
  const FAIL = plain ? "FAIL" : "\u2717";
  let failed = 0;
  let require: ((id: string) => unknown) | null = null;

  /**
   * What call `name` gave, inspected and redacted, or a placeholder when a proxy or a getter
   * throws: "[redacted]" when the function's own name looks secret (`getToken`).
   */
  const shown = (name: string, value: unknown) => {
    if (rd === null) return inspectOrNot(value);
    if (rd.secretName(name.slice(name.lastIndexOf(".") + 1))) return REDACTED;
    let hidden = value;
    try {
      hidden = hideSecrets(value, rd, 0);
    } catch {
      // A value inspect cannot show either.
    }
    return rd.scrubWhole(inspectOrNot(hidden));
  };
  const inspectOrNot = (value: unknown) => {
    try {
      return inspect(value, SHOW);
    } catch {
      return "(a value that cannot be shown)";
    }
  };
  /** An error's first line (`TypeError: message`), at most 300 characters, controls removed. */
  const described = (error: unknown) => {
    let text = "(an error that cannot be shown)";
    try {
      text = error instanceof Error ? String(error) : inspect(error, SHOW);
    } catch {
      // Its toString or a getter threw: the placeholder stays.
    }
    text = text.split("\n")[0].replace(CONTROL, "");
    if (rd !== null) text = rd.scrubWhole(text);
    return text.length > 300 ? `${text.slice(0, 299)}…` : text;
  };
  const load = async (specifier: string, commonjs: boolean) => {
    if (!commonjs) return await import(new URL(specifier, base).href);
    if (require === null) {
      const nodeModule = process.getBuiltinModule("node:module") as typeof import("node:module");
      require = nodeModule.createRequire(base);
    }
    return require(specifier);
  };

  console.log("Testing functions from tracepatch configuration...");
  return {
    async module(file, specifier, calls, commonjs = false) {
      console.log(`\nTesting functions from ${file}:`);
      try {
        return await load(specifier, commonjs);
      } catch (error) {
        failed += calls;
        console.log(`  ${FAIL} cannot import ${file}: ${described(error)}`);
        return undefined;
      }
    },
    async helper(file, specifier, commonjs = false) {
      try {
        return await load(specifier, commonjs);
      } catch (error) {
        console.log(`  ${FAIL} cannot import ${file} (for arguments): ${described(error)}`);
        return undefined;
      }
    },
    ok(name, value) {
      console.log(`  ${OK} ${name} returned: ${shown(name, value)}`);
    },
    yielded(name, items) {
      console.log(`  ${OK} ${name} yielded: ${shown(name, items)}`);
    },
    async first(iterable) {
      const items: unknown[] = [];
      for await (const item of iterable) {
        if (items.push(item) === 100) break;
      }
      return items;
    },
    fail(name, error, note) {
      failed++;
      console.log(`  ${FAIL} ${name} raised: ${described(error)}${note ? ` (${note})` : ""}`);
    },
    done() {
      if (failed > 0) process.exitCode = 1;
    },
  };
}
