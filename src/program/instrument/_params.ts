// Parameter bindings of a function: the names shown in a trace and the identifiers whose values
// the instrumented prologue passes to the recorder. Destructured parameters are flattened to their
// bindings, so `({ a, b }, ...rest)` records `a`, `b` and `...rest`.

import type { Node } from "./_names.ts";

/** Display names (`a`, `...rest`) and the identifiers that hold their values, in order. */
export interface ParamBindings {
  names: string[];
  idents: string[];
}

/** Collect the bindings of a parameter list. TypeScript's `this` parameter is skipped. */
export function collectParams(params: Node[]): ParamBindings {
  const out: ParamBindings = { names: [], idents: [] };
  for (const p of params) collect(p, false, out);
  return out;
}

function collect(node: Node, rest: boolean, out: ParamBindings): void {
  if (!node) return;
  switch (node.type) {
    case "Identifier":
      if (node.name === "this") return;
      out.names.push(rest ? `...${node.name}` : node.name);
      out.idents.push(node.name);
      return;
    case "TSParameterProperty":
      collect(node.parameter, rest, out);
      return;
    case "AssignmentPattern":
      collect(node.left, rest, out);
      return;
    case "RestElement":
      // A rest of a pattern (`...[a, b]`) binds plain names; only a rest identifier keeps `...`.
      collect(node.argument, node.argument.type === "Identifier", out);
      return;
    case "ObjectPattern":
      for (const prop of node.properties) {
        collect(prop.type === "RestElement" ? prop : prop.value, false, out);
      }
      return;
    case "ArrayPattern":
      for (const el of node.elements) collect(el, false, out);
      return;
  }
}
