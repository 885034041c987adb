// Name inference for functions: the short name and qualified name a function gets from where it
// stands in the source (declaration, variable, property, class member, default export).

import { String } from "../../platform/globals.ts";
// deno-lint-ignore no-explicit-any
export type Node = any;

const MAX_COMPUTED_KEY = 40;

/** The display text of a property key: `foo`, `#foo`, `"a b"`, `[Symbol.iterator]`. */
export function keyName(key: Node, computed: boolean, source: string): string {
  if (!key) return "<anonymous>";
  if (!computed) {
    if (key.type === "Identifier") return key.name;
    if (key.type === "PrivateIdentifier") return `#${key.name}`;
    if (key.type === "Literal") {
      return typeof key.value === "string" ? key.value : String(key.raw ?? key.value);
    }
  }
  if (key.type === "Literal" && typeof key.value === "string") return key.value;
  const text = source.slice(key.start, key.end);
  return `[${text.length > MAX_COMPUTED_KEY ? text.slice(0, MAX_COMPUTED_KEY) + "…" : text}]`;
}

/**
 * Dotted text of a member expression target (`module.exports.run`), or null if not simple.
 * `nameOf` gives an identifier's name as written (a minified file's map: `j.prototype.N` as
 * `Signal.prototype._refresh`); default, its own.
 */
export function memberPath(
  node: Node,
  source: string,
  nameOf: (id: Node) => string = (id) => id.name,
): string | null {
  if (node.type === "Identifier") return nameOf(node);
  if (node.type === "ThisExpression") return "this";
  // What a minifier folds (`(C.prototype = new S()).m = function…`): the object assigned to.
  if (node.type === "ParenthesizedExpression") return memberPath(node.expression, source, nameOf);
  if (node.type === "AssignmentExpression" && node.operator === "=") {
    return memberPath(node.left, source, nameOf);
  }
  if (node.type === "MemberExpression" || node.type === "StaticMemberExpression") {
    const object = memberPath(node.object, source, nameOf);
    if (object === null) return null;
    if (node.computed) {
      const p = node.property;
      if (p.type === "Literal" && typeof p.value === "string") return `${object}.${p.value}`;
      return null;
    }
    const prop = node.property.type === "PrivateIdentifier"
      ? `#${node.property.name}`
      : nameOf(node.property);
    return `${object}.${prop}`;
  }
  return null;
}
