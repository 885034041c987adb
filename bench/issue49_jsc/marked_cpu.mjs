// marked_rounds.mjs measured in process CPU ms (user + system) a render (stderr "CPU …"): less moved
// by other processes on a loaded machine than wall time; and each render's wall ms (stderr "WALL …").
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
const walls = [];
let html = "";
const rounds = Number(process.env.ROUNDS ?? 8);
for (let r = 0; r < rounds; r++) {
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  html = marked.parse(md);
  walls.push(performance.now() - w0);
  const d = process.cpuUsage(c0);
  times.push((d.user + d.system) / 1000);
}
console.log(md.length, html.length);
console.error("CPU " + times.map((t) => t.toFixed(1)).join(" "));
console.error("WALL " + walls.map((t) => t.toFixed(1)).join(" "));
