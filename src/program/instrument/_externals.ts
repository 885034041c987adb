// Which call sites call out of the traced code: functions imported from packages (bare
// specifiers, `node:` built-ins) and a few well-known globals. Calls through them are recorded
// as leaf nodes marked external. Method calls on arbitrary values (`arr.push`, `s.slice`) are
// not: they would bury the trace in built-in noise.

import type { Node } from "./_names.ts";
import { Set } from "../../platform/globals.ts";

/** Global objects whose methods count as external calls (`JSON.parse`, `console.log`). */
export const GLOBAL_NAMESPACES = new Set([
  "JSON",
  "console",
  "Object",
  "Reflect",
  "Promise",
  "Array",
  "Number",
  "String",
  "Date",
  "process",
  "Deno",
  "Bun",
  "crypto",
  "Buffer",
]);

/** Global functions whose calls count as external calls. */
export const GLOBAL_FUNCTIONS = new Set([
  "fetch",
  "setTimeout",
  "setInterval",
  "setImmediate",
  "queueMicrotask",
  "structuredClone",
  "parseInt",
  "parseFloat",
  "require",
  "atob",
  "btoa",
  "encodeURIComponent",
  "decodeURIComponent",
  "encodeURI",
  "decodeURI",
]);

/** True for an import source outside the project: a package name, `node:`, `npm:`, `jsr:`. */
export function isPackageSpecifier(source: string): boolean {
  return !/^(?:\.{1,2}\/|\/|file:|[a-z]:[\\/])/i.test(source) || /^(?:node|npm|jsr):/.test(source);
}

/** The names a binding pattern declares. */
export function patternNames(node: Node, out: string[] = []): string[] {
  if (!node) return out;
  switch (node.type) {
    case "Identifier":
      out.push(node.name);
      break;
    case "AssignmentPattern":
      patternNames(node.left, out);
      break;
    case "RestElement":
      patternNames(node.argument, out);
      break;
    case "ObjectPattern":
      for (const p of node.properties) patternNames(p.type === "RestElement" ? p : p.value, out);
      break;
    case "ArrayPattern":
      for (const e of node.elements) patternNames(e, out);
      break;
    case "TSParameterProperty":
      patternNames(node.parameter, out);
      break;
  }
  return out;
}

/** `require("pkg")`'s specifier, when `node` is such a call with a package specifier. */
export function requiredPackage(node: Node): string | null {
  if (
    node && node.type === "CallExpression" && node.callee.type === "Identifier" &&
    node.callee.name === "require" && node.arguments.length === 1 &&
    node.arguments[0].type === "Literal" && typeof node.arguments[0].value === "string" &&
    isPackageSpecifier(node.arguments[0].value)
  ) return node.arguments[0].value;
  return null;
}
