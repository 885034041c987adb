// The `test` tables of the config, as `tph setup` reads them (tracepatch's layout):
//
//   [[test.files]]                       [[test.inputs]]
//   path = "src/calc.ts"                 function = "add"
//   functions = ["add", "Cart.total"]    args = [1, 2]
//                                        kwargs = { user_id = "abc" }   (a destructured object)
//                                        construct = [10]               (for Class.method)

import { ConfigError } from "../../config/config_error.ts";

/** One `[[test.files]]` table: a file and the functions of it to call. */
export interface TestFile {
  /** As written (relative to the config file). */
  path: string;
  /** `name`, `Class.method`, `Class.staticMethod`, `object.method`, or `default`. */
  functions: string[];
}

/** One `[[test.inputs]]` table: one call of a function with these arguments. */
export interface TestInput {
  /** The function, named as in `functions`. */
  function: string;
  /** Which file's function, when two files list the same name (as in `[[test.files]]`). */
  path: string | null;
  /** Positional arguments; null: derived from the parameters. */
  args: unknown[] | null;
  /** Named arguments, for parameters of those names or properties of a destructured object. */
  kwargs: Record<string, unknown> | null;
  /** Arguments of the class's constructor, for `Class.method`. */
  construct: unknown[] | null;
  /** Where it is written, for messages: `test.inputs[2]`. */
  where: string;
}

/** The `test` section, checked. */
export interface TestConfig {
  files: (TestFile & { where: string })[];
  inputs: TestInput[];
  /** Keys that mean nothing here, one line each. */
  warnings: string[];
}

/** A function name as `functions` lists it: `name`, `Class.method`, `default`. */
export const FUNCTION_NAME =
  /^[\p{ID_Start}_$][\p{ID_Continue}$\u200c\u200d]*(\.[\p{ID_Start}_$][\p{ID_Continue}$\u200c\u200d]*)?$/u;

function isTable(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date);
}

function shown(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return "a list";
  if (isTable(v)) return "a table";
  return String(v);
}

/**
 * Check the `test` section of a config and read it.
 *
 * @param raw The section as the file holds it (undefined when absent).
 * @param where How messages name the file, e.g. `tracepatch.toml`.
 * @returns Its files and inputs (empty lists when absent) and warnings for unknown keys.
 * @throws {ConfigError} One line naming the table and key: `test.files[2].path must be a string`.
 *
 * @example
 * ```ts
 * import { readTestConfig } from "./src/cli/setup/test_config.ts";
 * const t = readTestConfig({ files: [{ path: "a.ts", functions: ["f"] }] }, "tracepatch.toml");
 * console.log(t.files[0].functions); // ["f"]
 * ```
 */
export function readTestConfig(raw: unknown, where: string): TestConfig {
  const bad = (key: string, what: string, got: unknown) =>
    new ConfigError(`Invalid config in ${where}: ${key} must be ${what}, got ${shown(got)}`);
  const warnings: string[] = [];
  const known = (table: Record<string, unknown>, key: string, keys: string[]) => {
    for (const k of Object.keys(table)) {
      if (!keys.includes(k)) {
        warnings.push(`Unknown key "${k}" in ${key} of ${where} (it takes ${keys.join(", ")})`);
      }
    }
  };
  if (raw === undefined) return { files: [], inputs: [], warnings };
  if (!isTable(raw)) throw bad("test", "a table ([[test.files]], [[test.inputs]])", raw);
  known(raw, "test", ["files", "inputs"]);
  const list = (key: "files" | "inputs"): Record<string, unknown>[] => {
    const v = raw[key];
    if (v === undefined) return [];
    // `[test.files]` (one table) instead of `[[test.files]]` (a list of tables): take it.
    const items = isTable(v) ? [v] : v;
    if (!Array.isArray(items)) throw bad(`test.${key}`, `a list of tables ([[test.${key}]])`, v);
    items.forEach((t, i) => {
      if (!isTable(t)) throw bad(`test.${key}[${i + 1}]`, "a table", t);
    });
    return items as Record<string, unknown>[];
  };
  const name = (key: string, v: unknown): string => {
    if (typeof v !== "string") throw bad(key, "a function name", v);
    if (!FUNCTION_NAME.test(v)) {
      throw new ConfigError(
        `Invalid config in ${where}: ${key}: ${
          JSON.stringify(v)
        } is not a function name (name, Class.method or object.method)`,
      );
    }
    return v;
  };
  const files = list("files").map((t, i) => {
    const at = `test.files[${i + 1}]`;
    known(t, at, ["path", "functions"]);
    if (typeof t.path !== "string" || t.path === "") throw bad(`${at}.path`, "a file path", t.path);
    const fns = t.functions;
    if (!Array.isArray(fns) || fns.length === 0) {
      throw bad(`${at}.functions`, 'a list of function names (["add", "Cart.total"])', fns);
    }
    const functions = fns.map((f, j) => name(`${at}.functions[${j + 1}]`, f));
    return { path: t.path, functions: [...new Set(functions)], where: at };
  });
  const inputs = list("inputs").map((t, i): TestInput => {
    const at = `test.inputs[${i + 1}]`;
    known(t, at, ["function", "path", "args", "kwargs", "construct"]);
    if (t.function === undefined) throw bad(`${at}.function`, "a function name", t.function);
    const fn = name(`${at}.function`, t.function);
    if (t.path !== undefined && typeof t.path !== "string") {
      throw bad(`${at}.path`, "a file path", t.path);
    }
    for (const k of ["args", "construct"]) {
      if (t[k] !== undefined && !Array.isArray(t[k])) throw bad(`${at}.${k}`, "a list", t[k]);
    }
    if (t.kwargs !== undefined && !isTable(t.kwargs)) {
      throw bad(`${at}.kwargs`, "a table ({ name = value })", t.kwargs);
    }
    return {
      function: fn,
      path: (t.path as string | undefined) ?? null,
      args: (t.args as unknown[] | undefined) ?? null,
      kwargs: (t.kwargs as Record<string, unknown> | undefined) ?? null,
      construct: (t.construct as unknown[] | undefined) ?? null,
      where: at,
    };
  });
  return { files, inputs, warnings };
}
