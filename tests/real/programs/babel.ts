// @babel/parser + @babel/generator 7 (CommonJS compiled by Babel: `exports.__esModule` and a
// `default` export; the generator requires @babel/types, jsesc and @jridgewell packages),
// loaded with require() through createRequire: a parser with a code generator.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const parser = require("@babel/parser");
const generator = require("@babel/generator");

const CODE = `
import { a } from "./a";
export default async function run(items) {
  for (const item of items) {
    if (item?.ok ?? false) await a(item);
  }
  return items.length;
}
const square = (n) => n * n;
class Box { #v = 1; get value() { return this.#v; } }
`;

interface Node {
  type: string;
  [key: string]: unknown;
}

function countTypes(node: unknown, counts: Map<string, number>): void {
  if (Array.isArray(node)) {
    for (const child of node) countTypes(child, counts);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const n = node as Node;
  if (typeof n.type === "string") counts.set(n.type, (counts.get(n.type) ?? 0) + 1);
  for (const key of Object.keys(n)) {
    if (key !== "loc" && key !== "start" && key !== "end") countTypes(n[key], counts);
  }
}

function renameIdentifiers(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(renameIdentifiers);
  if (node === null || typeof node !== "object") return;
  const n = node as Node;
  if (n.type === "Identifier" && n.name === "items") n.name = "list";
  for (const key of Object.keys(n)) renameIdentifiers(n[key]);
}

function main(): void {
  console.log("keys of @babel/parser:", Object.keys(parser).sort().join(","));
  console.log("generator is interop:", generator.__esModule === true, typeof generator.default);
  const ast = parser.parse(CODE, { sourceType: "module", plugins: ["classProperties"] });
  const counts = new Map<string, number>();
  countTypes(ast.program, counts);
  console.log(
    "types:",
    [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 8)
      .map(([t, n]) => `${t}=${n}`).join(" "),
  );
  renameIdentifiers(ast);
  console.log(generator.default(ast, { retainLines: false }).code);
  console.log(generator.default(ast, { minified: true }).code);
  const expr = parser.parseExpression("a ?? (b || c) ** 2");
  console.log("expression:", expr.type, generator.default(expr).code);
  try {
    parser.parse("let let = 1;");
  } catch (e) {
    const err = e as Error & { code?: string; reasonCode?: string };
    console.log("caught:", err.name, err.code, err.reasonCode, err.message);
  }
  console.log("babel done");
}

main();
