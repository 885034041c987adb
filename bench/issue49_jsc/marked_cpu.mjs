// marked_rounds.mjs measured in process CPU ms (user + system) a render (stderr "CPU …"): less moved
// by other processes on a loaded machine than wall time; and each render's wall ms (stderr "WALL …").
import { marked } from "marked";
import { md } from "./_marked_doc.mjs";
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
