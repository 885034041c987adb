// From the `test` tables to the calls the generated file makes: each configured function found
// in its file, each `[[test.inputs]]` of it one call (its `args`, `kwargs` and `construct`), a
// function without inputs one call with arguments built from its parameters' types.

import { relative, resolve } from "node:path";
import { exists, isPlainFile } from "../../platform/files.ts";
import { safeText } from "../../render/safe_text.ts";
import { type Callable, findCallable, type Param } from "./callables.ts";
import { Deriver } from "./derive_args.ts";
import { jsLiteral, propertyKey } from "./js_literal.ts";
import { Modules, SOURCE_FILE, type SourceModule } from "./source_module.ts";
import type { TestConfig, TestInput } from "./test_config.ts";

/** One call the generated file makes. */
export interface PlannedCall {
  /** The function as configured. */
  name: string;
  /** The call expression (`m0.add(1, 2)`, `new m0.Cart(1).total()`). */
  code: string;
  /** How the call reads without the module variable: `add(1, 2)`. */
  shown: string;
  /** Arguments that could not be built: `opts.callback (unknown)`. */
  gaps: string[];
  /** `[[test.inputs]]` it comes from (`test.inputs[2]`), or null when built from types. */
  input: string | null;
  /** A note on the function (its parameters cannot be seen). */
  note: string | null;
  /** What it returns is a generator, to iterate. */
  generator: boolean;
}

/** The calls of one configured file. */
export interface PlannedModule {
  /** Path relative to the project folder, with `/`. */
  file: string;
  /** Import specifier from the generated file. */
  specifier: string;
  /** The variable holding its namespace: `m0`. */
  variable: string;
  /** Whether it is CommonJS (its exports are the namespace's `default`). */
  commonjs: boolean;
  calls: PlannedCall[];
}

/** What `tph setup` will write, or the problems that stop it. */
export interface Plan {
  modules: PlannedModule[];
  /**
   * Other modules imported only for the classes arguments are built of (a class another file
   * exports); `calls` is empty.
   */
  helpers?: PlannedModule[];
  /** One line each: a missing file, a missing function, a kwarg matching nothing… */
  problems: string[];
}

/** A path in a message: in quotes, control characters escaped (JSON's way). */
function quoted(path: string): string {
  return JSON.stringify(path);
}

/** `user_id` → `userId`. */
function camel(name: string): string {
  return name.replace(/_+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function matches(param: string, key: string): boolean {
  return param === key || param === camel(key);
}

/**
 * Decide the calls.
 *
 * @param test The checked `test` tables.
 * @param root The folder paths are relative to (the config file's).
 * @param outFile The generated file (imports are relative to it).
 * @returns The calls per file, or problems (each one line) when any function cannot be called.
 *
 * @example
 * ```ts
 * import { planCalls } from "./src/cli/setup/plan_calls.ts";
 * const plan = planCalls({ files: [], inputs: [], warnings: [] }, ".", "./_t.ts");
 * console.log(plan.problems);
 * ```
 */
export function planCalls(test: TestConfig, root: string, outFile: string): Plan {
  const modules = new Modules();
  const problems: string[] = [];
  const planned: PlannedModule[] = [];
  const usedInputs = new Set<TestInput>();
  const helpers: Helpers = new Map();
  for (const file of uniqueFiles(test, root)) {
    const path = resolve(root, file.path);
    const shown = safeText(relative(root, path) || file.path);
    const module = loadConfigured(modules, file, path, root, problems);
    if (module === null) continue;
    const variable = `m${planned.length}`;
    const spec = specifierOf(outFile, path);
    const pm: PlannedModule = {
      file: shown,
      specifier: spec,
      variable,
      commonjs: module.commonjs,
      calls: [],
    };
    const deriver = deriverFor(modules, module, variable, helpers, root, outFile);
    for (const name of file.functions) {
      const inputs = test.inputs.filter((i) =>
        i.function === name && (i.path === null || resolve(root, i.path) === path)
      );
      for (const i of inputs) usedInputs.add(i);
      const callable = findCallable(modules, module, name);
      if (typeof callable === "string") {
        problems.push(`${file.where}: ${shown}: ${callable}`);
        continue;
      }
      if (inputs.length === 0) pm.calls.push(callOf(callable, null, deriver, variable, problems));
      for (const input of inputs) {
        pm.calls.push(callOf(callable, input, deriver, variable, problems));
      }
    }
    planned.push(pm);
  }
  for (const input of test.inputs) {
    if (usedInputs.has(input)) continue;
    const where = input.path === null ? "" : ` of ${quoted(input.path)}`;
    problems.push(
      `${input.where}: "${input.function}"${where} is not among the functions of any ` +
        "[[test.files]]: add it to one, or fix the name",
    );
  }
  // One problem, said once (two methods of a class that is not there).
  // Helpers only for classes some planned call uses.
  const used = [...helpers.values()].map((h) => h.module).filter((m) =>
    planned.some((p) => p.calls.some((c) => c.code.includes(`${m.variable}.`)))
  );
  return { modules: planned, helpers: used, problems: [...new Set(problems)] };
}

/** One file named twice (`src/a.ts`, `./src/../src/a.ts`): its functions, once each. */
function uniqueFiles(test: TestConfig, root: string): TestConfig["files"] {
  const files = new Map<string, (typeof test.files)[number]>();
  for (const file of test.files) {
    const path = resolve(root, file.path);
    const seen = files.get(path);
    if (seen === undefined) files.set(path, { ...file, functions: [...file.functions] });
    else seen.functions.push(...file.functions.filter((f) => !seen.functions.includes(f)));
  }
  return [...files.values()];
}

/** A configured file, parsed; null (with the problem said) when it is not a source file. */
function loadConfigured(
  modules: Modules,
  file: TestConfig["files"][number],
  path: string,
  root: string,
  problems: string[],
): SourceModule | null {
  if (!isPlainFile(path)) {
    const what = exists(path) ? "is not a file" : "not found";
    problems.push(`${file.where}: ${quoted(file.path)} ${what} (paths are relative to ${root})`);
    return null;
  }
  if (/\.d\.[cm]?ts$/.test(path)) {
    problems.push(
      `${file.where}: ${quoted(file.path)} only declares types: name the file with the code`,
    );
    return null;
  }
  if (!SOURCE_FILE.test(path)) {
    problems.push(`${file.where}: ${quoted(file.path)} is not a JavaScript or TypeScript file`);
    return null;
  }
  try {
    return modules.load(path);
  } catch (e) {
    problems.push(`${file.where}: cannot read ${quoted(file.path)}: ${(e as Error).message}`);
    return null;
  }
}

/** Other files imported for their classes, by path, with how the generated file reaches each. */
type Helpers = Map<string, { module: PlannedModule; classes: Map<unknown, string> }>;

/** What builds a module's arguments, with the classes it can construct. */
function deriverFor(
  modules: Modules,
  module: SourceModule,
  variable: string,
  helpers: Helpers,
  root: string,
  outFile: string,
): Deriver {
  // The classes this module exports, by declaration: a class-typed argument is built with
  // `new m0.Cart(…)`.
  const classes = classesOf(modules, module, variable);
  // A class of another file: that file is imported too, when it exports the class.
  return new Deriver(modules, (f) => {
    const here = classes.get(f.node);
    if (here !== undefined || f.module === module) return here ?? null;
    let helper = helpers.get(f.module.path);
    if (helper === undefined) {
      const v = `c${helpers.size}`;
      helper = {
        module: {
          file: safeText(relative(root, f.module.path)),
          specifier: specifierOf(outFile, f.module.path),
          variable: v,
          commonjs: f.module.commonjs,
          calls: [],
        },
        classes: classesOf(modules, f.module, v),
      };
      helpers.set(f.module.path, helper);
    }
    return helper.classes.get(f.node) ?? null;
  });
}

/** An import specifier of `path` from the generated file: `./src/a.ts`. */
function specifierOf(outFile: string, path: string): string {
  const spec = relative(resolve(outFile, ".."), path);
  return spec.startsWith(".") ? spec : `./${spec}`;
}

/** The classes a module exports, by declaration, with how the generated file reaches them. */
function classesOf(modules: Modules, module: SourceModule, variable: string): Map<unknown, string> {
  const classes = new Map<unknown, string>();
  for (const name of allExports(modules, module)) {
    const found = modules.exported(module, name);
    const node = found?.node.type === "VariableDeclarator" ? found.node.init : found?.node;
    if (
      (node?.type === "ClassDeclaration" || node?.type === "ClassExpression") &&
      !classes.has(node)
    ) classes.set(node, `${variable}${module.wholeExport.has(name) ? "" : `.${name}`}`);
  }
  return classes;
}

/** Every name a module exports, through `export *` too. */
function allExports(modules: Modules, m: SourceModule, seen = new Set<string>()): string[] {
  if (seen.has(m.path)) return [];
  seen.add(m.path);
  const names = [...m.exports.keys()];
  for (const star of m.stars) {
    const other = modules.tryLoad(star);
    if (other) names.push(...allExports(modules, other, seen).filter((n) => n !== "default"));
  }
  return names;
}

/** One call of a callable: its arguments (given, placed by name, or built), then the code. */
function callOf(
  c: Callable,
  input: TestInput | null,
  deriver: Deriver,
  ns: string,
  problems: string[],
): PlannedCall {
  const where = input?.where ?? "";
  const gaps: string[] = [];
  const given = givenArgs(c, input, deriver, problems, gaps);
  if (input?.construct && c.kind !== "method") {
    problems.push(`${where}.construct: "${c.name}" is not a method of a class built with new`);
  }
  let args: string[];
  if (input?.args) {
    // Arguments given: those (and kwargs); nothing more is built.
    args = Array.from(given, (a) => a ?? "undefined");
    while (args.length > input.args.length && args[args.length - 1] === "undefined") args.pop();
    // Parameters the inputs leave out that need a value: said on the ✗ line if the call fails.
    c.params.forEach((p, i) => {
      if (i >= args.length && !p.optional && !p.rest && p.default === null) {
        gaps.push(`${p.label} (not in ${where})`);
      }
    });
  } else {
    const built = deriver.args(c.params, given);
    args = built.args;
    gaps.push(...built.gaps);
  }
  const { code, shown } = callCode(c, input, deriver, ns, args.join(", "), gaps);
  return {
    name: c.name,
    code,
    shown,
    gaps,
    input: input?.where ?? null,
    note: c.opaque,
    generator: c.generator,
  };
}

/** The arguments an input gives: its `args`, with its `kwargs` placed (undefined: not given). */
function givenArgs(
  c: Callable,
  input: TestInput | null,
  deriver: Deriver,
  problems: string[],
  gaps: string[],
): (string | undefined)[] {
  const where = input?.where ?? "";
  const given: (string | undefined)[] = (input?.args ?? []).map(jsLiteral);
  if (!input?.kwargs) return given;
  const objects = new Map<number, Map<string, string>>();
  for (const [key, value] of Object.entries(input.kwargs)) {
    const placed = placeKwarg(c.params, key, deriver);
    if (placed === null) {
      const names = c.params.map((p) => p.label).join(", ") || "none";
      problems.push(
        `${where}.kwargs: "${key}" matches no parameter of ${c.name} (its parameters: ${names})`,
      );
      continue;
    }
    if (placed.key === null) {
      if (given[placed.index] !== undefined) {
        problems.push(
          `${where}.kwargs: "${key}" is argument ${placed.index + 1}, given in args too`,
        );
        continue;
      }
      given[placed.index] = jsLiteral(value);
      continue;
    }
    let obj = objects.get(placed.index);
    if (obj === undefined) {
      if (given[placed.index] !== undefined) {
        problems.push(
          `${where}.kwargs: "${key}" goes into argument ${placed.index + 1}, given in args too`,
        );
        continue;
      }
      obj = deriver.objectOf(c.params[placed.index]) ?? new Map();
      gaps.push(...deriver.gaps);
      objects.set(placed.index, obj);
    }
    obj.set(placed.key, jsLiteral(value));
  }
  for (const [i, obj] of objects) {
    given[i] = obj.size === 0
      ? "{}"
      : `{ ${[...obj].map(([k, v]) => `${propertyKey(k)}: ${v}`).join(", ")} }`;
  }
  return given;
}

/** The call's code and how it reads, by kind (a method's instance built with `new` first). */
function callCode(
  c: Callable,
  input: TestInput | null,
  deriver: Deriver,
  ns: string,
  list: string,
  gaps: string[],
): { code: string; shown: string } {
  switch (c.kind) {
    case "function":
      return { code: `${ns}${c.access}(${list})`, shown: `${c.display}(${list})` };
    case "static":
    case "member":
      return {
        code: `${ns}${c.access}.${c.member}(${list})`,
        shown: `${c.display}.${c.member}(${list})`,
      };
    case "method": {
      let ctor: string[];
      if (input?.construct) ctor = input.construct.map(jsLiteral);
      else {
        const built = deriver.args(c.ctor);
        ctor = built.args;
        gaps.push(...built.gaps.map((g) => `new ${c.display}: ${g}`));
      }
      return {
        code: `new ${ns}${c.access}(${ctor.join(", ")}).${c.member}(${list})`,
        shown: `new ${c.display}(${ctor.join(", ")}).${c.member}(${list})`,
      };
    }
  }
}

/** Where a kwarg goes: a parameter of its name, or a key of an object parameter. */
function placeKwarg(
  params: Param[],
  key: string,
  deriver: Deriver,
): { index: number; key: string | null } | null {
  const plain = params.findIndex((p) => !p.rest && p.name !== null && matches(p.name, key));
  if (plain >= 0) {
    const p = params[plain];
    // A parameter named like the kwarg that is itself an object of that key: the key wins.
    const keys = deriver.objectKeys(p);
    if (keys === null || !keys.some((k) => matches(k, key))) return { index: plain, key: null };
  }
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    if (p.rest) continue;
    const keys = deriver.objectKeys(p);
    if (keys === null) continue;
    const k = keys.find((k) => matches(k, key));
    if (k !== undefined) return { index: i, key: k };
  }
  const open = params.findIndex((p) => p.restKeys);
  return open >= 0 ? { index: open, key } : null;
}
