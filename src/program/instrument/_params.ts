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
export function collectParams(params: Node[], nameOf?: (id: Node) => string): ParamBindings {
  const out: ParamBindings = { names: [], idents: [] };
  for (const p of params) collect(p, false, out, nameOf);
  return out;
}

function collect(
  node: Node,
  rest: boolean,
  out: ParamBindings,
  nameOf?: (id: Node) => string,
): void {
  if (!node) return;
  switch (node.type) {
    case "Identifier":
      if (node.name === "this") return;
      {
        // Shown as written: a source map's name for a minified parameter.
        const shown = nameOf === undefined ? node.name : nameOf(node);
        out.names.push(rest ? `...${shown}` : shown);
      }
      out.idents.push(node.name);
      return;
    case "TSParameterProperty":
      collect(node.parameter, rest, out, nameOf);
      return;
    case "AssignmentPattern":
      collect(node.left, rest, out, nameOf);
      return;
    case "RestElement":
      // A rest of a pattern (`...[a, b]`) binds plain names; only a rest identifier keeps `...`.
      collect(node.argument, node.argument.type === "Identifier", out, nameOf);
      return;
    case "ObjectPattern":
      for (const prop of node.properties) {
        collect(prop.type === "RestElement" ? prop : prop.value, false, out, nameOf);
      }
      return;
    case "ArrayPattern":
      for (const el of node.elements) collect(el, false, out, nameOf);
      return;
  }
}
