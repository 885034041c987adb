// Sum a bun:jsc sampling profile's stacks (marked_jsc_profile.mjs's .json): each sample goes to
// the recorder when its innermost JavaScript frame (natives skipped) is in a file whose path
// matches RECORDER (default: tph's preload or src/program, or bench/limit/recorder.mjs), else to
// the program; then the recorder's samples by function and tier, and the program's by tier.
// usage: node jsc_samples.mjs <profile.json> [top]
import { readFileSync } from "node:fs";
const st = JSON.parse(readFileSync(process.argv[2], "utf8"));
const top = Number(process.argv[3] ?? 25);
const mine = new RegExp(
  process.env.RECORDER ?? "bun_preload|/src/program/|/src/platform/|recorder\\.mjs",
);
const by = new Map(), tiers = new Map();
let rec = 0, prog = 0;
const add = (m, k) => m.set(k, (m.get(k) ?? 0) + 1);
for (const t of st.traces) {
  const f = t.frames;
  let i = 0;
  while (i < f.length && f[i].sourceURL === undefined) i++;
  const js = f[i];
  const native = i > 0 ? f[0].name : "";
  if (js !== undefined && mine.test(js.sourceURL)) {
    rec++;
    add(by, `${js.name}:${js.line} ${js.category}${native ? " > " + native : ""}`);
    add(tiers, "recorder " + js.category);
  } else {
    prog++;
    add(tiers, "program " + (js?.category ?? "none") + (native ? " (native)" : ""));
  }
}
const ms = (n) => (n * st.interval * 1000).toFixed(1);
console.log(
  `samples ${st.traces.length}: recorder ${rec} (${ms(rec)} ms), program ${prog} (${ms(prog)} ms)`,
);
for (const [k, n] of [...tiers].sort((a, b) => b[1] - a[1])) {
  console.log(`  ${String(n).padStart(6)} ${k}`);
}
for (const [k, n] of [...by].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`  ${String(n).padStart(6)} ${k}`);
}
