// marked_render.mjs with its own clock: the time of the renders alone, after marked has loaded
// (bench/register_cost.ts compares it plain and instrumented outside any trace() block).
import { marked } from "marked";

const parts = [];
for (let i = 0; i < 400; i++) {
  parts.push(
    `## Section ${i}\n\nSome *emphasis*, **strong**, \`code\` and a [link](https://example.com/${i}).\n`,
    `- item ${i}\n- item ${i + 1}\n  - nested\n\n1. one\n2. two\n`,
    "| a | b |\n|---|---|\n| " + i + " | " + (i * 2) + " |\n",
    "```js\nconst x = " + i + ";\n```\n\n> quote " + i + "\n",
  );
}
const md = parts.join("\n");
const t0 = performance.now();
let html = "";
for (let r = 0; r < 10; r++) html = marked.parse(md);
console.log(JSON.stringify({ length: html.length, ms: performance.now() - t0 }));
