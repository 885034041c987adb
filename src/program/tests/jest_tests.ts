// `tph test` on jest (30 or later). jest runs each test file in a vm context of its own, loading
// the file and what it requires through its own module registry, which transforms each file with
// the `transform` of the project's config (babel-jest by default). So tph's hold on jest is in its
// config: in jest's own process a module hook adds to jest-config's `readConfigs`, which hands
// every project's config on with
//
// - each transformer wrapped by tph's (jest_runner.ts writes the file jest requires for it): the
//   project's transformer runs first, then tph instruments its output when the file is in the
//   scope, and hands jest the project's map fitted to the rewriting, so that jest's stacks and code
//   frames point at the files as written;
// - its test runner (jest-circus) wrapped by tph's, which runs before each test file loads, in the
//   process that runs it: it gives the file's context the recorder (`__tph`) and tph's
//   `Function.prototype.toString`, and follows circus's events for each test's outcome;
// - jest's transform cache off (a cached file would skip tph's transformer's records).
//
// jest's workers start with tph's preload (they inherit jest's options), so the same runs there.
// jest-circus runs each test, with its `beforeEach`/`afterEach` hooks, in an AsyncLocalStorage of
// its own: the recorder asks here, at each call with no recorded call open, which test runs now
// (jest's `currentTestIdentity`), and the test's block opens at its first traced call; it ends
// with circus's `test_done`: passed, failed (its first error), or timed out. Calls outside any test
// (a file's body, `describe` bodies, `beforeAll`/`afterAll`) are in no run.

import * as nodeModule from "node:module";
import { relative } from "node:path";
import process from "../../platform/node_process.ts";
import { instrument } from "../instrument/instrument.ts";
import { type LoaderSetup, warnNotTraced } from "../loader/setup.ts";
import { installToString, rememberModule } from "../loader/original_text.ts";
import type { TraceState } from "../recorder/trace_state.ts";
import type { TestInfo, TestOutcome } from "../../types.ts";
import { endAllOpen, hookTests, noTest, takeOpen } from "./open_list.ts";
import {
  Array,
  JSON,
  Map,
  Object,
  Promise,
  String,
  Symbol,
  WeakMap,
} from "../../platform/globals.ts";
import { bare, hasOwn, strIncludes } from "../../platform/intrinsics.ts";
import { isProxy } from "node:util/types";

/** The files the CLI wrote for the run (settings.ts's JestSettings). */
interface JestFiles {
  cli: string;
  transformer: string;
  runner: string;
}

/** A test's block (trace.ts's TraceHandle). */
interface TestBlock {
  readonly state: TraceState;
  endTest(outcome: TestOutcome, error: unknown): unknown;
}

/** Opens a test's block in the current async context (trace.ts's openTest). */
type OpenTest = (test: Omit<TestInfo, "outcome">) => TestBlock;

/** What of the recorder this uses. */
interface TestRecorder {
  useTestRoots(root: ((id: number) => TraceState | undefined) | null, nested: boolean): void;
}

/** What tph reads of a circus test (jest-circus's TestEntry). */
interface CircusTest {
  name?: unknown;
  parent?: CircusTest | null;
  errors?: unknown[];
}

/** A project's config as jest-config resolves it (what tph changes of it). */
interface ProjectConfig {
  transform?: [string, string, unknown][];
  testRunner?: string;
  [key: string]: unknown;
}

/** A transformer jest loads (`@jest/transform`'s Transformer), after createTransformer. */
interface Transformer {
  process?: (src: string, file: string, options: TransformOptions) => unknown;
  processAsync?: (src: string, file: string, options: TransformOptions) => Promise<unknown>;
  getCacheKey?: (src: string, file: string, options: TransformOptions) => string;
  getCacheKeyAsync?: (src: string, file: string, options: TransformOptions) => Promise<string>;
  canInstrument?: boolean;
}

interface TransformOptions {
  transformerConfig?: { tphInner?: string | null; tphInnerConfig?: unknown };
  [key: string]: unknown;
}

const API = Symbol.for("tph.jest");
const PATCH = Symbol.for("tph.jest.configs");
const MATCHERS = Symbol.for("$$jest-matchers-object");
/** jest-config's entry (jest 30: one file jest's webpack made). */
const JEST_CONFIG = /[\\/]jest-config[\\/]build[\\/]index\.js$/;
/** The function istanbul adds to a file it instruments for coverage, and calls at each count. */
const ISTANBUL = /^cov_[0-9a-z]+$/;
/** A source map at the end of a transformer's code (ts-jest's). */
const INLINE_MAP = /\/\/# sourceMappingURL=data:[^\n]*\s*$/;
/** Files no transformer of the project's takes, which jest would run as they are. */
const PLAIN_JS = "\\.[cm]?js$";

// Captured before the tests load.
const { defineProperty, getOwnPropertyDescriptor: getOwn } = Object;
const { isArray } = Array;

/** The blocks of the tests that have started, by circus's test object. */
const blocks = new WeakMap<object, TestBlock>();
/** The blocks still open, ended as failed when the process ends first. */
const open: TestBlock[] = [];

/** A test's full name: its `describe`s' names and its own, joined by " › ". */
function fullName(test: CircusTest): string {
  const names: string[] = [];
  // The root describe block (no parent) has no name in the report; an empty name is a name.
  for (let t: CircusTest | null | undefined = test; t?.parent != null; t = t.parent) {
    names[names.length] = typeof t.name === "string" ? t.name : "";
  }
  let name = "";
  for (let i = names.length - 1; i >= 0; i--) {
    name += (name === "" && i === names.length - 1 ? "" : " › ") + names[i];
  }
  return name;
}

/** A finished test's outcome and error, as circus decided them. */
function outcomeOf(test: CircusTest): { outcome: TestOutcome; error: unknown } {
  const errors = isArray(test.errors) ? test.errors : [];
  if (errors.length === 0) return { outcome: "passed", error: undefined };
  // An error of circus's may come with the error made where the test was called: [error, at].
  const first = isArray(errors[0]) ? errors[0][0] : errors[0];
  // Of the test file's realm (no instanceof), or a string circus threw (a timeout).
  // Read as an own value only: the error may be the program's (a Proxy, a getter).
  const own = typeof first === "object" && first !== null && !isProxy(first)
    ? getOwn(first, "message")
    : undefined;
  const message = typeof first === "string"
    ? first
    : own !== undefined && hasOwn(own, "value") && typeof own.value === "string"
    ? own.value
    : "";
  return {
    outcome: strIncludes(message, "Exceeded timeout of ") ? "timed out" : "failed",
    error: first,
  };
}

/** End a test's block, once. */
function endBlock(test: object, outcome: TestOutcome, error: unknown): void {
  const block = blocks.get(test);
  if (block === undefined) return;
  blocks.delete(test);
  if (takeOpen(open, block)) block.endTest(outcome, error);
}

/**
 * In jest's own process: have jest-config hand on every project's config with tph's transformer,
 * test runner and no transform cache.
 *
 * @param files tph's transformer and runner for the run.
 */
export function installJestConfigs(files: JestFiles): void {
  defineProperty(globalThis, PATCH, {
    value: (
      result: { configs?: ProjectConfig[]; globalConfig?: { collectCoverage?: unknown } },
    ) => {
      if (!isArray(result?.configs)) return result;
      if (result.globalConfig?.collectCoverage === true) {
        // A transformer that instruments for coverage itself (babel-jest) does it before tph
        // rewrites its output; jest instruments what tph gives for the others (ts-jest, none).
        process.stderr.write(
          "tph: warning: with a transformer that leaves coverage to jest (ts-jest, or none), " +
            "jest's coverage measures the code tph rewrote: measure coverage with jest alone\n",
        );
      }
      return { ...result, configs: result.configs.map(withTph(files)) };
    },
    enumerable: false,
    configurable: true,
  });
  // Looked up at run time: the type of node:module in use may not have it.
  // deno-lint-ignore no-explicit-any
  const registerHooks = (nodeModule as any).registerHooks as (hooks: object) => void;
  registerHooks({
    load(url: string, context: unknown, next: (u: string, c: unknown) => { source?: unknown }) {
      const r = next(url, context);
      if (!JEST_CONFIG.test(url) || r.source == null) return r;
      // Read at each call: @jest/core calls `readConfigs` through the module's exports.
      const source = String(r.source) +
        `\n;{const m=module.exports,f=m.readConfigs;if(typeof f==="function")` +
        `m.readConfigs=async function readConfigs(...a){` +
        `const p=globalThis[Symbol.for("tph.jest.configs")];const r=await f.apply(this,a);` +
        `return typeof p==="function"?p(r):r;};}\n`;
      return { ...r, source };
    },
  });
}

/** A project's config with tph's transformer around each of its own, and tph's test runner. */
function withTph(files: JestFiles): (config: ProjectConfig) => ProjectConfig {
  return (config) => {
    const transform: [string, string, unknown][] =
      (isArray(config.transform) ? config.transform : []).map((
        [pattern, inner, options],
      ) => [pattern, files.transformer, { tphInner: inner, tphInnerConfig: options }]);
    transform.push([PLAIN_JS, files.transformer, { tphInner: null, tphInnerConfig: {} }]);
    return {
      ...config,
      transform,
      testRunner: files.runner,
      tphTestRunner: config.testRunner,
      cache: false,
    };
  };
}

/**
 * In every jest process that may run tests (its workers, and its own when it runs them itself):
 * what tph's transformer and test runner hand over to.
 *
 * @param setup The loader's shared part: the scope and module names.
 * @param openTest Opens a test's block (trace.ts).
 * @param recorder The recorder (its test roots).
 */
export function installJestTests(
  setup: LoaderSetup,
  openTest: OpenTest,
  recorder: TestRecorder,
): void {
  hookTests();
  const require = nodeModule.createRequire(import.meta.url);
  defineProperty(globalThis, API, {
    value: {
      transformer: transformer(setup, require),
      runner: runner(openTest, recorder, require),
    },
    enumerable: false,
    configurable: true,
  });
}

/** tph's transformer: the project's, then tph's instrumenting of what it gives. */
function transformer(setup: LoaderSetup, require: NodeJS.Require) {
  const inners = new Map<string, Transformer | null>();
  const key = (options: TransformOptions) => {
    const c = options.transformerConfig ?? {};
    return c.tphInner == null ? null : c.tphInner + "\0" + JSON.stringify(c.tphInnerConfig ?? {});
  };
  const innerOf = (options: TransformOptions) => {
    const k = key(options);
    return k === null ? null : inners.get(k) ?? null;
  };
  const own = (options: TransformOptions): TransformOptions => ({
    ...options,
    transformerConfig: (options.transformerConfig?.tphInnerConfig ?? {}) as never,
  });
  const finish = (src: string, file: string, out: unknown) => instrumented(setup, src, file, out);
  const made: Transformer = {
    process(src, file, options) {
      const inner = innerOf(options);
      return finish(src, file, inner?.process ? inner.process(src, file, own(options)) : null);
    },
    async processAsync(src, file, options) {
      const inner = innerOf(options);
      const f = inner?.processAsync ?? inner?.process;
      return finish(src, file, f ? await f.call(inner, src, file, own(options)) : null);
    },
    getCacheKey(src, file, options) {
      const inner = innerOf(options);
      const k = inner?.getCacheKey ? inner.getCacheKey(src, file, own(options)) : src;
      return `tph\0${file}\0${k}`;
    },
  };
  return {
    // jest makes each transformer once per config entry, and awaits this.
    async createTransformer(config: TransformOptions["transformerConfig"]): Promise<Transformer> {
      const options = { transformerConfig: config };
      const k = key(options);
      if (k !== null && !inners.has(k)) {
        let t = require(config!.tphInner!);
        if (t?.__esModule && t.default) t = t.default;
        if (typeof t?.createTransformer === "function") {
          t = await t.createTransformer(config!.tphInnerConfig);
        }
        inners.set(k, t);
      }
      const inner = innerOf(options);
      return inner?.canInstrument ? { ...made, canInstrument: true } : made;
    },
  };
}

/**
 * What jest runs for a file: the project's transformer's output (or the file as it is),
 * instrumented when the file is traced, with the project's map fitted to the rewriting.
 */
function instrumented(
  setup: LoaderSetup,
  src: string,
  file: string,
  out: unknown,
): { code: string; map?: unknown } {
  const given = typeof out === "string" ? { code: out } : out as { code?: string; map?: unknown };
  const code = typeof given?.code === "string" ? given.code : src;
  const map = given?.map == null ? null : given.map;
  if (!setup.inScope(file)) return map === null ? { code } : { code, map };
  const mapText = map === null ? undefined : typeof map === "string" ? map : JSON.stringify(map);
  // ts-jest gives its map inline, at the end of the code: the instrumenter fits it there.
  const inline = mapText === undefined && INLINE_MAP.test(code);
  const module = setup.moduleName(file);
  let r;
  try {
    r = instrument(code, {
      filename: file,
      lang: "js",
      sourceType: "unambiguous",
      module,
      externalCalls: setup.options.externalCalls,
      // With coverage on, the project's transformer (babel-jest) adds istanbul's counters.
      leaveFunctions: ISTANBUL,
      ...(mapText !== undefined
        ? { inputSourceMap: JSON.parse(mapText), fitMap: mapText }
        : inline
        ? {}
        : { inputSourceMap: false, rewriteMap: true }),
    });
  } catch (e) {
    warnNotTraced(module, e);
    return map === null ? { code } : { code, map };
  }
  if (r.code === code) return map === null ? { code } : { code, map };
  setup.counted();
  rememberModule({
    source: code,
    filename: file,
    lang: "js",
    module,
    externalCalls: setup.options.externalCalls,
    sourceType: "unambiguous",
  });
  const fitted = mapText !== undefined
    ? r.fittedMap
    : inline
    ? null
    : r.rewriteMap == null
    ? null
    : { ...JSON.parse(r.rewriteMap), file, sources: [file] };
  return fitted == null ? { code: r.code } : { code: r.code, map: fitted };
}

/** tph's test runner: the project's (jest-circus), with each test's calls in a run of its own. */
function runner(openTest: OpenTest, rec: TestRecorder, require: NodeJS.Require) {
  const cwd = process.cwd();
  // Not async: an async function's frame would show in the stacks of the tests' errors.
  return function tphTestRunner(
    globalConfig: unknown,
    config: ProjectConfig,
    environment: {
      global: Record<PropertyKey, unknown>;
      handleTestEvent?: (event: { name: string; test?: object }, state: unknown) => unknown;
    },
    runtime: unknown,
    testPath: string,
    send: unknown,
  ): unknown {
    let inner = require(String(config.tphTestRunner));
    if (inner?.__esModule && inner.default) inner = inner.default;
    const g = environment.global;
    const recorder = (globalThis as Record<string, unknown>).__tph;
    // jest-environment-node copies the process's globals (the recorder with them); another
    // environment gets it as a getter (jest 30 deletes what was put on a file's global at its end).
    if (g.__tph !== recorder) {
      defineProperty(
        g,
        "__tph",
        bare({ get: () => recorder, enumerable: false, configurable: true }),
      );
    }
    installToString(g.Function as typeof Function);
    const file = relative(cwd, testPath) || testPath;
    let circus: { currentlyRunningTest?: object | null } | null = null;
    const running = (): object | null => {
      const state = (g[MATCHERS] as { state?: { currentTestIdentity?: () => unknown } })?.state;
      const t = typeof state?.currentTestIdentity === "function"
        ? state.currentTestIdentity()
        : circus?.currentlyRunningTest;
      return t !== null && typeof t === "object" ? t : null;
    };
    rec.useTestRoots(() => {
      const test = running();
      if (test === null) return noTest();
      let block = blocks.get(test);
      if (block === undefined) {
        block = openTest({ name: fullName(test as CircusTest), file, runner: "jest" });
        blocks.set(test, block);
        open[open.length] = block;
      }
      return block.state;
    }, false);
    const own = environment.handleTestEvent?.bind(environment);
    // circus takes the environment's handler when it starts the file, after this.
    environment.handleTestEvent = function handleTestEvent(event, state) {
      circus = state as typeof circus;
      if (event.name === "test_done" && event.test !== undefined) {
        const { outcome, error } = outcomeOf(event.test as CircusTest);
        endBlock(event.test, outcome, error);
      } else if (event.name === "test_retry" && event.test !== undefined) {
        endBlock(event.test, "failed", (event.test as CircusTest).errors?.[0]);
      }
      return own?.(event, state);
    };
    return inner(globalConfig, config, environment, runtime, testPath, send);
  };
}

/**
 * End the blocks of tests still running as the process ends: failed; in jest's own process (its
 * tests run in band), as jest leaves it when it called exit (exit(0): jest exits 0, no test
 * failed). A worker that exits fails its test file.
 *
 * @param jestMain Whether this is jest's own process.
 */
export function endOpenJestTests(jestMain = false): void {
  endAllOpen(open, undefined, jestMain);
}
