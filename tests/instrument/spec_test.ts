// The instrumenter's correctness proof, driven by data: every program in
// tests/fixtures/instrument/ runs plainly and traced on Deno and on Bun, and
//
// 1. both runs print the same stdout, exit with the same code, and print the same stderr: on
//    Deno exactly (it reads the source map tph fits to the inserted text), on Bun up to columns
//    and the caret under the excerpt Bun prints (instrumented code is wider, never taller, and
//    Bun reads no source map from a plugin: error classes, messages, excerpts, function names
//    and line numbers of every frame, a cause's too, must match);
// 2. the recorded call tree equals the hand-written `<case>.calls` file (or `<case>.<runtime>.calls`
//    where the runtimes legitimately differ; single lines may be marked `[deno] `/`[bun] `), in
//    the format of tests/instrument/_calls.ts.
//
// The fixtures print what they observe (results, `this`, `new.target`, errors and the line they
// were thrown at), so plain-vs-traced equality covers behaviour as well as line preservation.
// Helpers in tests/fixtures/instrument/_util/ are not traced (SPEC_EXCLUDE), so printing the line
// of an error does not add calls to the expected trees.

import assert from "node:assert/strict";
import process from "node:process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, runPlain, type RuntimeName, runTraced } from "../_harness.ts";
import type { TraceLimits } from "../../src/program/recorder/trace_state.ts";
import { formatCalls, parseCallsFile } from "./_calls.ts";

/** Folder of the fixture programs and their expected calls. */
const FIXTURES = join(REPO, "tests/fixtures/instrument");
/** Reporting helpers of the fixtures: never traced. */
const SPEC_EXCLUDE = ["**/instrument/_util/**"];
const RUNTIMES: RuntimeName[] = ["deno", "bun"];
/**
 * Cases that show a known bug in src/ (see `knownBug`) are skipped unless TPH_KNOWN_BUGS=1, as in
 * tests/api: they state what must hold once the bug is fixed.
 */
const SKIP_KNOWN_BUGS = process.env.TPH_KNOWN_BUGS !== "1";

interface Case {
  /** Fixture file name in tests/fixtures/instrument/. */
  file: string;
  /** Limits of the traced run. */
  limits?: TraceLimits;
  /** Runtimes the case runs on (default both); the reason for a left-out one is in a comment. */
  runtimes?: RuntimeName[];
  /** Show calls out of the traced code in the expected tree. */
  externals?: boolean;
  /** Expected exit code of both runs (default 0). */
  exit?: number;
  /** Expected `ending.ended` of the trace (default "completed"). */
  ended?: string;
  /** Expected limit bookkeeping; when absent the trace must not be limited. */
  limited?: { reason: string; dropped: number; atRoot?: number };
  /** Runtimes on which a known bug in src/ makes the case fail, with the bug. */
  knownBug?: Partial<Record<RuntimeName, string>>;
}

// Known bugs and limitations: in src/, or in a runtime in a way that tph would have to work around.
// Each was reported with a reproduction; its case shows what must hold once it is fixed.
const BUG_DERIVED = "a derived constructor is recorded only from its top-level super() on, so " +
  "the calls before and in super() land beside it instead of under it";
const BUG_DENO_POSITION = "Deno's transpiled code maps a parenthesized function expression to " +
  "its '(', so <anonymous>@line:col differs from Bun's";
const BUG_DENO_HELPERS = "on Deno the functions the TypeScript transpiler generates (enum and " +
  "namespace IIFEs, decorator helpers, synthetic constructors) are recorded as calls";
const BUG_DENO_CLASS_DECORATOR = "with a node:module registerHooks load hook installed (even one " +
  "that changes nothing) Deno hands out broken code for a decorated class (ReferenceError: Thing " +
  "is not defined); plus " + BUG_DENO_HELPERS;
const BUG_EXIT_HANDLER = "the trace is saved by the first 'exit' listener, before the " +
  "program's own exit handlers run, so their calls are missing";
const BUG_TOSTRING = "Function.prototype.toString shows the instrumented source";
const BUG_DEEP_STACK = "instrumented frames are larger: on Deno recursion overflows the stack " +
  "at ~7200 levels instead of ~18000 (Bun: ~29000 instead of ~50000)";
const BUG_DENO_FIELDS = "Deno's transpiler moves field initializers into the constructor of a " +
  "class with parameter properties, so on Deno only their calls nest under the constructor";
const BUG_BUN_EVENT_LOOP = "Bun reports an error thrown out of an event-loop callback (timer, " +
  "immediate, microtask, nextTick) from the stack JavaScriptCore kept for its last `throw`, not " +
  "from the error's own: tph's catch rethrows it in the outermost traced function, so the report " +
  "shows only that function's frame, at its last line, instead of the frames from the throw on";
const BUG_BUN_PTC = "the try/finally around every body turns tail calls into ordinary calls, " +
  "which JavaScriptCore runs with proper tail calls: deep tail recursion sees more stack";

const CASES: Case[] = [
  { file: "declarations.ts" },
  { file: "arrows.ts" },
  { file: "params.ts" },
  { file: "objects.js" },
  { file: "classes.ts" },
  { file: "field_init_param_props.ts", knownBug: { deno: BUG_DENO_FIELDS } },
  { file: "anon_positions.ts", knownBug: { deno: BUG_DENO_POSITION } },
  { file: "derived_super.ts", knownBug: { bun: BUG_DERIVED } },
  { file: "new_target.js" },
  { file: "generators.ts" },
  { file: "yield_delegation.ts" },
  { file: "async_basic.ts" },
  { file: "async_concurrency.ts" },
  { file: "async_iteration.ts" },
  { file: "for_await_positions.ts" },
  { file: "for_await_semantics.ts" },
  { file: "microtasks.ts" },
  { file: "timers.ts" },
  {
    file: "sloppy.cjs",
    knownBug: {
      bun: "without tracing Bun drops function-level 'use strict' and block-function hoisting " +
        "(Annex B) in .cjs files, which the traced run (Module._compile) keeps",
    },
  },
  { file: "use_strict.cjs" },
  { file: "commonjs.cjs" },
  { file: "commonjs_ts.cts" },
  { file: "commonjs_getters.cjs" },
  { file: "hashbang.js" },
  { file: "asi_yield.js" },
  { file: "modules.ts" },
  { file: "ts_syntax.ts" },
  { file: "ts_enums_namespaces.ts", knownBug: { deno: BUG_DENO_HELPERS } },
  { file: "decorators.ts" },
  { file: "decorators_class.ts", knownBug: { deno: BUG_DENO_CLASS_DECORATOR } },
  { file: "jsx_pragma.tsx" },
  { file: "jsx_react_object.jsx" },
  { file: "errors.ts" },
  { file: "multiline_errors.ts" },
  { file: "multiline_template.ts" },
  { file: "uncaught.ts", exit: 1, ended: "exception" },
  { file: "uncaught_async.ts", exit: 1, ended: "exception" },
  { file: "uncaught_cause.ts", exit: 1, ended: "exception" },
  {
    file: "uncaught_timer.ts",
    exit: 1,
    ended: "exception",
    knownBug: { bun: BUG_BUN_EVENT_LOOP },
  },
  { file: "error_stacks.ts" },
  {
    file: "uncaught_external.ts",
    exit: 1,
    ended: "exception",
  },
  { file: "exit_midway.ts", exit: 3, ended: "exit" },
  {
    file: "limits_calls.ts",
    limits: { maxCalls: 5 },
    limited: { reason: "max_calls", dropped: 18, atRoot: 10 },
  },
  {
    file: "limits_depth.ts",
    limits: { maxDepth: 3 },
    limited: { reason: "max_depth", dropped: 3 },
  },
  { file: "edge_syntax.js" },
  { file: "externals.ts", externals: true },
  { file: "externals_sites.ts", externals: true },
  { file: "tail_calls.js", knownBug: { bun: BUG_BUN_PTC } },
  { file: "body_declarations.js" },
  { file: "patched_builtins.js" },
  { file: "exit_handler.js", knownBug: { deno: BUG_EXIT_HANDLER, bun: BUG_EXIT_HANDLER } },
  { file: "function_tostring.js", knownBug: { deno: BUG_TOSTRING, bun: BUG_TOSTRING } },
  {
    file: "deep_recursion.js",
    limited: { reason: "max_depth", dropped: 9971 },
    knownBug: { deno: BUG_DEEP_STACK },
  },
  {
    file: "line_terminators.js",
  },
];

/**
 * On Bun columns may differ (instrumented lines are longer) and so may the caret under the
 * excerpt; nothing else may. Deno's stderr must be identical.
 */
function normalizeStderr(text: string, rt: RuntimeName): string {
  if (rt === "deno") return text;
  return text.split("\n")
    .map((line) => /^[ \t]*\^[ \t]*$/.test(line) ? "^" : line.replace(/:(\d+):\d+/g, ":$1:_"))
    .join("\n");
}

function expectedCalls(name: string, rt: RuntimeName): string {
  const specific = join(FIXTURES, `${name}.${rt}.calls`);
  const path = existsSync(specific) ? specific : join(FIXTURES, `${name}.calls`);
  return parseCallsFile(readFileSync(path, "utf8"), rt);
}

for (const c of CASES) {
  const name = c.file.replace(/\.[^.]+$/, "");
  for (const rt of c.runtimes ?? RUNTIMES) {
    const bug = c.knownBug?.[rt];
    Deno.test({
      name: `spec: ${name} (${rt})`,
      ignore: bug !== undefined && SKIP_KNOWN_BUGS,
      fn() {
        const file = join(FIXTURES, c.file);
        const plain = runPlain(rt, file, { cwd: FIXTURES });
        const traced = runTraced(rt, file, {
          cwd: FIXTURES,
          limits: c.limits,
          exclude: SPEC_EXCLUDE,
        });
        const note = bug === undefined ? "" : ` (known bug: ${bug})`;
        const exit = c.exit ?? 0;
        assert.equal(plain.code, exit, `plain run exited ${plain.code}:\n${plain.stderr}`);
        assert.notEqual(plain.stdout, "", "the fixture prints nothing");
        if (exit === 0) assert.equal(plain.stderr, "", "plain stderr");
        assert.equal(traced.stdout, plain.stdout, "stdout differs" + note);
        assert.equal(
          traced.code,
          plain.code,
          `traced run exited ${traced.code}${note}:\n${traced.stderr}`,
        );
        assert.equal(
          normalizeStderr(traced.stderr, rt),
          normalizeStderr(plain.stderr, rt),
          "stderr differs" + note,
        );
        assert.ok(traced.trace !== null, "no trace written" + note);
        const t = traced.trace;
        assert.equal(t.ending.ended, c.ended ?? "completed", "ending" + note);
        assert.equal(t.was_limited, c.limited !== undefined, "was_limited");
        assert.equal(t.limit_reason, c.limited?.reason ?? null, "limit_reason");
        assert.equal(t.dropped_calls, c.limited?.dropped ?? 0, "dropped_calls");
        if (c.limited?.atRoot !== undefined) {
          assert.equal(t.dropped_at_root, c.limited.atRoot, "dropped_at_root");
        }
        assert.equal(
          formatCalls(t.trace, { externals: c.externals }),
          expectedCalls(name, rt),
          "recorded calls" + note,
        );
      },
    });
  }
}

Deno.test("spec: every fixture program is a case and has its expected calls", () => {
  const programs = readdirSync(FIXTURES).filter((f) => /\.(?:[cm]?[jt]s|[jt]sx)$/.test(f));
  assert.deepEqual(programs.sort(), CASES.map((c) => c.file).sort());
  for (const c of CASES) {
    const name = c.file.replace(/\.[^.]+$/, "");
    for (const rt of c.runtimes ?? RUNTIMES) {
      const found = [`${name}.${rt}.calls`, `${name}.calls`].some((f) =>
        existsSync(join(FIXTURES, f))
      );
      assert.ok(found, `${name}: no expected calls for ${rt}`);
    }
  }
});
