// Where a test file registers its tests: calls of a test runner's `test`/`it` and `describe` in
// any of their forms (`test.only`, `it.skip`, `test.each(table)`, `describe.if(x)`), read from the
// code as written. `tph test` on Bun names a test's run from what is found here: Bun tells a
// running test nothing of its name (see src/program/tests/bun_tests.ts).

import {
  FLAG_AFTER_EACH,
  FLAG_ALL_HOOK,
  FLAG_BEFORE_EACH,
  FLAG_TEST_CONCURRENT,
  FLAG_TEST_FAILING,
} from "../../abi.ts";
import type { Node } from "./_names.ts";
import { Set } from "../../platform/globals.ts";

/** A call that registers a test or a suite, with its function. */
export interface Registration {
  kind: "test" | "suite" | "hook";
  /** The name as written: a string's value, else the argument's source text. */
  name: string;
  /** The function that runs the test or makes the suite. */
  fn: Node;
  /** The function's flags in the module table (FLAG_TEST_FAILING, FLAG_BEFORE_EACH…). */
  flags: number;
}

const TESTS = new Set(["test", "it"]);
const SUITES = new Set(["describe"]);
const HOOKS = new Set(["beforeEach", "afterEach", "beforeAll", "afterAll"]);
/** The modifiers of Bun's (and jest's, vitest's) `test` and `describe`. */
const MODIFIERS = new Set([
  "only",
  "skip",
  "todo",
  "failing",
  "fails",
  "concurrent",
  "serial",
  "sequential",
  "if",
  "skipIf",
  "runIf",
  "todoIf",
  "failingIf",
  "each",
]);

function bare(node: Node): Node {
  while (node && node.type === "ParenthesizedExpression") node = node.expression;
  return node;
}

/** The name `test` or `describe` a callee comes down to, and its modifiers; null otherwise. */
function calleeChain(callee: Node): { root: string; modifiers: string[] } | null {
  const modifiers: string[] = [];
  let c = bare(callee);
  for (;;) {
    if (c.type === "Identifier") return { root: c.name, modifiers };
    if (
      (c.type === "MemberExpression" || c.type === "StaticMemberExpression") && !c.computed &&
      c.property.type === "Identifier" && MODIFIERS.has(c.property.name)
    ) {
      modifiers.push(c.property.name);
      c = bare(c.object);
    } else if (c.type === "CallExpression") c = bare(c.callee); // test.each(table)(…), test.if(x)(…)
    else return null;
  }
}

/**
 * The test or suite a call registers, or null when it registers none.
 *
 * @param call A CallExpression.
 * @param src The module's source text (a name that is not a plain string is shown as written).
 */
export function registration(call: Node, src: string): Registration | null {
  const chain = calleeChain(call.callee);
  if (chain === null) return null;
  const kind = TESTS.has(chain.root)
    ? "test"
    : SUITES.has(chain.root)
    ? "suite"
    : HOOKS.has(chain.root) && chain.modifiers.length === 0
    ? "hook"
    : null;
  if (kind === null) return null;
  const args = call.arguments as Node[];
  if (args.length < (kind === "hook" ? 1 : 2)) return null;
  const fn = args.slice(kind === "hook" ? 0 : 1).map(bare).find((a) =>
    a.type === "ArrowFunctionExpression" || a.type === "FunctionExpression"
  );
  if (fn === undefined) return null;
  if (kind === "hook") {
    const flags = chain.root === "beforeEach"
      ? FLAG_BEFORE_EACH
      : chain.root === "afterEach"
      ? FLAG_AFTER_EACH
      : FLAG_ALL_HOOK;
    return { kind, name: "", fn, flags };
  }
  const first = bare(args[0]);
  let name: string;
  if (first.type === "Literal" && typeof first.value === "string") name = first.value;
  else if (first.type === "StringLiteral") name = first.value;
  else if (first.type === "TemplateLiteral" && first.expressions.length === 0) {
    name = first.quasis[0].value.cooked ?? first.quasis[0].value.raw;
  } else name = src.slice(first.start, first.end);
  const flags = (chain.modifiers.includes("failing") ? FLAG_TEST_FAILING : 0) |
    (chain.modifiers.includes("concurrent") ? FLAG_TEST_CONCURRENT : 0);
  return { kind, name, fn, flags };
}
