// Parsing for the instrumenter: oxc with the options it needs, and the per-type child keys the
// walker follows.

import { oxc } from "../../deps.ts";
import { patternNames } from "./_externals.ts";
import type { Node } from "./_names.ts";
import type { Lang } from "../../project/languages.ts";
import { Array, Object, Set } from "../../platform/globals.ts";

/** The keys of subtrees that only hold types: no function there ever runs. */
export const TYPE_ONLY_KEYS: Set<string> = new Set([
  "typeAnnotation",
  "returnType",
  "typeParameters",
  "typeArguments",
  "superTypeArguments",
  "implements",
]);
/** TypeScript nodes that hold code that runs (an `as` expression's operand, an enum's values). */
export const TS_WITH_VALUES = new Set([
  "TSAsExpression",
  "TSSatisfiesExpression",
  "TSNonNullExpression",
  "TSTypeAssertion",
  "TSInstantiationExpression",
  "TSEnumDeclaration",
  "TSEnumMember",
  "TSEnumBody",
  "TSModuleDeclaration",
  "TSModuleBlock",
  "TSExportAssignment",
  "TSImportEqualsDeclaration",
  "TSExternalModuleReference",
  "TSParameterProperty",
]);

/** Node types of functions with their own scope. */
export const FUNCTION_TYPES = new Set([
  "FunctionDeclaration",
  "FunctionExpression",
  "ArrowFunctionExpression",
]);

let useRaw: boolean | null = null;
export let VISITOR_KEYS: Record<string, readonly string[]> = {};
// The keys worth walking, per node type: the visitor keys less the type-only ones, computed once
// instead of filtered at every node.
export let CHILD_KEYS: Record<string, string[]> = {};

/**
 * Parse with raw transfer where the platform supports it (3× faster on Deno), else plainly.
 *
 * @param filename For messages and the language default.
 * @param source The text.
 * @param lang The language.
 * @param sourceType module, commonjs, script or unambiguous.
 * @returns oxc's result.
 */
export function parseSource(
  filename: string,
  source: string,
  lang: Lang,
  sourceType: string,
): ReturnType<ReturnType<typeof oxc>["parseSync"]> {
  if (useRaw === null) {
    VISITOR_KEYS = oxc().visitorKeys;
    CHILD_KEYS = Object.fromEntries(
      Object.entries(VISITOR_KEYS).map(([type, keys]) => [
        type,
        keys.filter((k) => !TYPE_ONLY_KEYS.has(k)),
      ]),
    );
    try {
      useRaw = oxc().rawTransferSupported();
    } catch {
      useRaw = false;
    }
  }
  // The JS flavour of the AST for TypeScript too: its JSON leaves out the TS-only fields
  // (`typeAnnotation: null`, `optional: false`, …) of every node, which makes parsing a fifth
  // faster; type syntax still comes as TS nodes. Only parameter properties become plain
  // parameters: see PARAMETER_PROPERTY in instrument.ts.
  // deno-lint-ignore no-explicit-any
  const options: any = { lang, sourceType, preserveParens: true, astType: "js" };
  if (useRaw) options.experimentalRawTransfer = true;
  return oxc().parseSync(filename, source, options);
}

/**
 * Whether the body's top-level function declarations would clash once inside the `try` block:
 * there they are block-scoped, and a `var` or a second function of the same name is then a
 * SyntaxError; one named as a parameter would no longer replace the parameter's value (in sloppy
 * mode `arguments` shows the difference). Such a function is left as it is (not recorded).
 *
 * @param stmts The body's statements.
 * @param params The function's parameter names.
 */
export function clashesInBlock(stmts: Node[], params: string[] = []): boolean {
  const fns = new Set<string>();
  let dup = false;
  for (const st of stmts) {
    if (st.type === "FunctionDeclaration" && st.id) {
      if (fns.has(st.id.name)) dup = true;
      fns.add(st.id.name);
    }
  }
  if (fns.size === 0) return false;
  if (dup || params.some((n) => fns.has(n))) return true;
  return varNames(stmts).some((n) => fns.has(n));
}

/** Names declared with `var` in these statements, not looking into nested functions. */
function varNames(stmts: Node[], out: string[] = []): string[] {
  const visitNode = (n: Node): void => {
    if (n === null || typeof n !== "object") return;
    if (Array.isArray(n)) return n.forEach(visitNode);
    if (typeof n.type !== "string") return;
    if (FUNCTION_TYPES.has(n.type) || n.type.startsWith("Class")) return;
    if (n.type === "VariableDeclaration" && n.kind === "var") {
      for (const d of n.declarations) out.push(...patternNames(d.id));
    }
    for (const key of VISITOR_KEYS[n.type] ?? []) visitNode(n[key]);
  };
  stmts.forEach(visitNode);
  return out;
}
