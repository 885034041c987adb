// marked_rounds.mjs's document rendered ROUNDS times (default 1) inside JavaScriptCore's sampling
// profiler (bun:jsc's profile), after WARM renders (default 0): its report of where samples fell, by function and by tier (LLInt,
// Baseline, DFG, FTL), written to JSC_PROFILE_OUT (default /tmp/marked_jsc_profile.txt). Run it
// under `tph run --runtime bun` or with bench/limit/recorder.mjs preloaded: Bun only.
import { profile } from "bun:jsc";
import { writeFileSync } from "node:fs";
import { marked } from "marked";
import { md } from "./_marked_doc.mjs";
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
