// marked renders the document of marked_render.mjs ROUNDS times; prints each render's ms (stderr).
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
const times = [];
let html = "";
const rounds = Number(process.env.ROUNDS ?? 8);
for (let r = 0; r < rounds; r++) {
  const t0 = performance.now();
  html = marked.parse(md);
  times.push(performance.now() - t0);
}
console.log(md.length, html.length);
console.error("RENDERS " + times.map((t) => t.toFixed(1)).join(" "));
