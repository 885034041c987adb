// Tracing must never change what real code does. Each driver in tests/fixtures/real/ exercises a
// real npm library (pinned in package.json) and prints a deterministic summary of its results,
// including expected errors. Every driver runs plainly and traced, with the whole library
// instrumented through an include glob and limits large enough that nothing is dropped: stdout,
// stderr and the exit code must be identical, and the trace must hold the library's calls.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as acorn from "acorn";
import {
  REPO,
  runPlain,
  type RunResult,
  type RuntimeName,
  runTraced,
  type TracedResult,
} from "../_harness.ts";
import { instrument } from "../../src/program/instrument/instrument.ts";
import type { CallNodeJSON } from "../../src/types.ts";

interface Library {
  name: string;
  driver: string;
  /** Fewest calls the traced run must record. */
  minCalls: number;
  /** Qualified names of the library's own functions that must appear in the trace. */
  internals: string[];
  /** Functions that must be recorded throwing, each with the start of its exception text. */
  throws: [string, string][];
  /** The last line the driver prints. */
  lastLine: string;
}

const LIBRARIES: Library[] = [
  {
    name: "acorn",
    driver: "acorn_driver.mjs",
    minCalls: 100_000,
    internals: ["pp$8.parseStatement", "pp.readToken", "pp$5.parseExprAtom", "pp$2.finishNode"],
    throws: [["pp$4.raise", "SyntaxError: "]],
    lastLine: "acorn 8.19.0 done",
  },
  {
    name: "yaml",
    driver: "yaml_driver.mjs",
    minCalls: 100_000,
    internals: ["Lexer.lex", "Parser.parse", "composeNode", "stringifyString"],
    throws: [["parse", "YAMLParseError: "], ["getTagObject", "Error: Tag not resolved"]],
    lastLine: "yaml done",
  },
  {
    name: "marked",
    driver: "marked_driver.mjs",
    minCalls: 50_000,
    // The bundle is minified (its Tokenizer is `_`, its Lexer `l`): the map it ships gives the
    // names as written in its src/*.ts.
    internals: [
      "_Tokenizer.heading",
      "_Tokenizer.list",
      "_Lexer.blockTokens",
      "_Lexer.inlineTokens",
      "_Renderer.paragraph",
    ],
    throws: [["_Parser.parse", "TypeError: renderer blew up"], [
      "Marked.use",
      "Error: extension name required",
    ]],
    lastLine: "marked done",
  },
];

const RUNTIMES: RuntimeName[] = ["deno", "bun", "node"];

/** Large enough that the drivers' calls are all recorded, at every depth. */
const LIMITS = { maxCalls: 2_000_000, maxDepth: 100_000, maxRepr: 40 };

/** Names emitted by the instrumenter (see src/abi.ts); anything else with `__tph` is a bug. */
const EMITTED_NAME = /^__tph(?:_c|_x|_[bm]_[0-9a-z]+)?$/;

const driverPath = (lib: Library) => join(REPO, "tests/fixtures/real", lib.driver);

function describe(r: RunResult): string {
  return `exit ${r.code} signal ${r.signal}\n--- stderr ---\n${r.stderr.slice(0, 3000)}`;
}

/** Fail on the first line where the traced run's output differs from the plain run's. */
function assertSameText(stream: "stdout" | "stderr", expected: string, traced: TracedResult): void {
  if (traced[stream] === expected) return;
  const want = expected.split("\n");
  const got = traced[stream].split("\n");
  let i = 0;
  while (i < want.length && want[i] === got[i]) i++;
  assert.fail(
    `${stream} differs at line ${i + 1} of ${want.length} (traced run has ${got.length})\n` +
      `  plain: ${JSON.stringify(want[i]?.slice(0, 300))}\n` +
      ` traced: ${JSON.stringify(got[i]?.slice(0, 300))}\n${describe(traced)}`,
  );
}

interface TraceStats {
  nodes: number;
  maxDepth: number;
  unfinished: number;
  names: Map<string, number>;
  exceptions: { name: string; text: string }[];
  /** Texts that mention the instrumenter's own names: the rewrite or the recorder broke. */
  leaks: string[];
}

/** Walk the call tree without recursion (acorn nests thousands of calls deep). */
function stats(roots: CallNodeJSON[]): TraceStats {
  const s: TraceStats = {
    nodes: 0,
    maxDepth: 0,
    unfinished: 0,
    names: new Map(),
    exceptions: [],
    leaks: [],
  };
  const stack: [CallNodeJSON, number][] = roots.map((n) => [n, 1]);
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    s.nodes++;
    if (depth > s.maxDepth) s.maxDepth = depth;
    if (node.unfinished) s.unfinished++;
    s.names.set(node.name, (s.names.get(node.name) ?? 0) + 1);
    if (node.exception !== undefined) {
      s.exceptions.push({ name: node.name, text: node.exception });
      if (node.exception.includes("__tph")) s.leaks.push(`${node.name}: ${node.exception}`);
    }
    if (node.return_value?.includes("__tph")) s.leaks.push(`${node.name} -> ${node.return_value}`);
    for (const child of node.children) stack.push([child, depth + 1]);
  }
  return s;
}

function checkTrace(lib: Library, traced: TracedResult): void {
  const doc = traced.trace;
  assert.ok(doc !== null, `no trace was written\n${describe(traced)}`);
  assert.equal(doc.ending.ended, "completed");
  assert.equal(doc.ending.code, 0);
  assert.equal(doc.was_limited, false, `limited: ${doc.limit_reason}`);
  assert.equal(doc.dropped_calls, 0);
  assert.ok(
    doc.call_count >= lib.minCalls,
    `only ${doc.call_count} calls recorded, expected at least ${lib.minCalls}`,
  );
  const s = stats(doc.trace);
  assert.equal(s.nodes, doc.call_count, "every recorded call is in the tree");
  assert.deepEqual(s.leaks, [], "no recorded error or value mentions the instrumentation");
  assert.equal(s.unfinished, 0, "the program completed, so every call ended");
  assert.ok(s.maxDepth > 5, `calls are nested (max depth ${s.maxDepth})`);
  for (const name of lib.internals) {
    assert.ok(s.names.has(name), `${name} recorded`);
  }
  // Everything recorded comes from the library (the driver itself is not in scope).
  const modules = new Set<string>();
  const stack = [...doc.trace];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (!node.external) modules.add(node.module);
    stack.push(...node.children);
  }
  for (const m of modules) {
    assert.ok(m.includes(`node_modules/${lib.name}/`), `unexpected module ${m}`);
  }
  for (const [thrower, text] of lib.throws) {
    assert.ok(
      s.exceptions.some((e) => e.name === thrower && e.text.startsWith(text)),
      `${thrower} recorded throwing ${text}`,
    );
  }
}

for (const lib of LIBRARIES) {
  for (const rt of RUNTIMES) {
    Deno.test(`${lib.name} on ${rt}: tracing the whole library changes nothing`, () => {
      const file = driverPath(lib);
      let t0 = performance.now();
      const plain = runPlain(rt, file, { cwd: REPO });
      const plainMs = performance.now() - t0;
      assert.equal(plain.code, 0, `the plain run must succeed\n${describe(plain)}`);
      assert.equal(plain.stdout.trimEnd().split("\n").at(-1), lib.lastLine);
      t0 = performance.now();
      const traced = runTraced(rt, file, {
        cwd: REPO,
        scope: [],
        include: [`node_modules/${lib.name}/**`],
        limits: LIMITS,
      });
      const tracedMs = performance.now() - t0;
      console.log(
        `${lib.name}/${rt}: plain ${plainMs.toFixed(0)} ms, traced ${tracedMs.toFixed(0)} ms, ` +
          `${traced.trace?.call_count ?? "no"} calls`,
      );
      assertSameText("stdout", plain.stdout, traced);
      assertSameText("stderr", plain.stderr, traced);
      assert.equal(traced.code, plain.code);
      assert.equal(traced.signal, plain.signal);
      checkTrace(lib, traced);
    });
  }
}

/** The library files a driver loads, plus the other builds the packages ship. */
function distFiles(): string[] {
  const nm = join(REPO, "node_modules");
  const files = [
    "acorn/dist/acorn.js",
    "acorn/dist/acorn.mjs",
    "acorn/dist/bin.js",
    "marked/lib/marked.esm.js",
    "marked/lib/marked.umd.js",
  ].map((f) => join(nm, f));
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(?:m?js)$/.test(e.name)) files.push(p);
    }
  };
  walk(join(nm, "yaml/dist"));
  walk(join(nm, "yaml/browser"));
  return files;
}

const LINE_BREAKS = /\r\n|[\n\r\u2028\u2029]/g;

Deno.test("instrument() of the libraries' dist files keeps every line and emits sound code", () => {
  const files = distFiles();
  assert.ok(files.length > 100, `found ${files.length} files`);
  let functions = 0;
  for (const file of files) {
    const source = readFileSync(file, "utf8");
    const r = instrument(source, { filename: file });
    const where = file.slice(REPO.length + 1);
    assert.equal(r.error, null, where);
    assert.equal(
      r.code.match(LINE_BREAKS)?.length ?? 0,
      source.match(LINE_BREAKS)?.length ?? 0,
      `${where}: line breaks`,
    );
    functions += r.functions.length;
    if (r.functions.length === 0) continue;
    assert.notEqual(r.code, source, where);
    // The rewrite must parse, and every name it introduces must be one of the emitted names: a
    // keyword glued to emitted text (`return{` → `return__tph.r(`) reads as an unknown variable.
    const module = /\.mjs$|marked\.esm|yaml\/browser/.test(file);
    const ast = acorn.parse(r.code, {
      ecmaVersion: "latest",
      sourceType: module ? "module" : "script",
      allowHashBang: true,
      allowReturnOutsideFunction: true,
    });
    assert.deepEqual(oddities(ast), [], `${where}: emitted code that changes the program`);
  }
  assert.ok(functions > 1000, `${functions} functions instrumented`);
});

/** Recorder calls whose argument count is fixed: `r(call, value)` and `fa(call, iterable)`. */
const RECORDER_ARITY: Record<string, number> = { r: 2, fa: 2 };

/**
 * What in instrumented code shows a faulty rewrite: identifiers that merely contain the
 * recorder's name, and recorder calls with a wrong argument count (`return a, b` passed on as
 * `r(call, a, b)` hands back `a` instead of `b`).
 */
function oddities(ast: acorn.Node): string[] {
  const odd = new Set<string>();
  const stack: unknown[] = [ast];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      stack.push(...node);
      continue;
    }
    if (node === null || typeof node !== "object") continue;
    const n = node as Record<string, unknown>;
    if (n.type === "Identifier" && typeof n.name === "string" && n.name.includes("__tph")) {
      if (!EMITTED_NAME.test(n.name)) odd.add(`identifier ${n.name}`);
    }
    if (n.type === "CallExpression") {
      const callee = n.callee as Record<string, unknown>;
      const object = callee.object as Record<string, unknown> | undefined;
      const property = callee.property as Record<string, unknown> | undefined;
      if (callee.type === "MemberExpression" && object?.name === "__tph" && property) {
        const arity = RECORDER_ARITY[property.name as string];
        const count = (n.arguments as unknown[]).length;
        if (arity !== undefined && count !== arity) {
          odd.add(`__tph.${property.name} called with ${count} arguments`);
        }
      }
    }
    for (const key in n) if (typeof n[key] === "object") stack.push(n[key]);
  }
  return [...odd];
}
