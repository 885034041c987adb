// marked_rounds.mjs's document rendered ROUNDS times (default 1) inside JavaScriptCore's sampling
// profiler (bun:jsc's profile), after WARM renders (default 0): its report of where samples fell, by function and by tier (LLInt,
// Baseline, DFG, FTL), written to JSC_PROFILE_OUT (default /tmp/marked_jsc_profile.txt). Run it
// under `tph run --runtime bun` or with bench/limit/recorder.mjs preloaded: Bun only.
import { profile } from "bun:jsc";
import { writeFileSync } from "node:fs";
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
const rounds = Number(process.env.ROUNDS ?? 1);
let html = "";
// WARM=n: n renders before the profiled ones (the steady state).
for (let i = 0; i < Number(process.env.WARM ?? 0); i++) html = marked.parse(md);
const r = profile(() => {
  for (let i = 0; i < rounds; i++) html = marked.parse(md);
}, Number(process.env.JSC_PROFILE_US ?? 200));
console.log(md.length, html.length);
writeFileSync(
  process.env.JSC_PROFILE_OUT ?? "/tmp/marked_jsc_profile.txt",
  r.functions + "\n\n" + r.bytecodes,
);
// Every sample's stack (frames with their tier and line), for bench/issue49_jsc/jsc_samples.mjs.
writeFileSync(
  (process.env.JSC_PROFILE_OUT ?? "/tmp/marked_jsc_profile.txt") + ".json",
  JSON.stringify(r.stackTraces),
);
