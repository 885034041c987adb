// What describing a value costs (repr, the largest term of a recorded call on real libraries):
// the values marked's functions take and return while rendering a document, each
// described as a recorded call describes it, in the same process, on Deno or Bun.
//
//   node_modules/.bin/deno run -A bench/repr_cost.ts
//   node_modules/.bin/bun bench/repr_cost.ts

import { marked } from "marked";
import { repr } from "../src/program/recorder/repr.ts";
import { record, RT } from "./_common.ts";

const parts: string[] = [];
for (let i = 0; i < 100; i++) {
  parts.push(
    `## Section ${i}\n\nSome *emphasis*, **strong**, \`code\` and a [link](https://example.com/${i}).\n`,
    `- item ${i}\n- item ${i + 1}\n  - nested\n\n1. one\n2. two\n`,
    "| a | b |\n|---|---|\n| " + i + " | " + (i * 2) + " |\n",
    "```js\nconst x = " + i + ";\n```\n\n> quote " + i + "\n",
  );
}
const tokens = marked.lexer(parts.join("\n"));
// Every object of the token tree (tokens, their arrays, nested tokens), as calls see them.
const values: object[] = [];
const walk = (v: unknown): void => {
  if (typeof v !== "object" || v === null) return;
  values.push(v);
  for (const x of Array.isArray(v) ? v : Object.values(v)) walk(x);
};
walk(tokens);

let chars = 0;
const round = (): number => {
  const t0 = performance.now();
  for (let i = 0; i < values.length; i++) chars += repr(values[i], 120).length;
  return performance.now() - t0;
};
const first = round();
const rounds: number[] = [];
for (let r = 0; r < 15; r++) rounds.push(round());
rounds.sort((a, b) => a - b);
const ns = (ms: number) => (ms * 1e6 / values.length).toFixed(0);
record({
  bench: "repr_cost",
  metric: "repr of a marked value (median)",
  value: Number(ns(rounds[7])),
  unit: "ns",
});
record({
  bench: "repr_cost",
  metric: "repr of a marked value (first round)",
  value: Number(ns(first)),
  unit: "ns",
});
console.log(
  `${RT} repr of ${values.length} marked values (max_repr 120): first round ${
    ns(first)
  } ns each, ` +
    `median ${ns(rounds[7])} ns, best ${ns(rounds[0])} ns (${chars} chars)`,
);

// What one value of each shape costs (best of 5 rounds of 300,000): the terms a repr adds up.
class Point {
  x = 1;
  y = "s";
}
const SHAPES: [string, unknown][] = [
  ["1", 1],
  ['"abc"', "abc"],
  ["{}", {}],
  ["[]", []],
  ["{ a: 1 }", { a: 1 }],
  ["{ a: 1, b: 2, c: 3 }", { a: 1, b: 2, c: 3 }],
  ["[1, 2, 3]", [1, 2, 3]],
  ["{ a: { b: { c: 1 } } }", { a: { b: { c: 1 } } }],
  ["a class instance", new Point()],
  ["a 500-character string", "x".repeat(500)],
];
const shapes: string[] = [];
for (const [name, v] of SHAPES) {
  const n = 300_000;
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) chars += repr(v, 120).length;
    best = Math.min(best, performance.now() - t0);
  }
  shapes.push(`${name} ${(best * 1e6 / n).toFixed(0)} ns`);
}
console.log(`${RT} repr by shape (best of 5): ${shapes.join(", ")}`);
