// Runs a program under V8's sampling profiler (node:inspector, on Deno and Bun) and writes a
// .cpuprofile: `PROF_TARGET` names the program (relative to this folder), `PROF_OUT` the file.
// Under `tph run` this profiles the traced program's own process from its first line to its last
// (where the recorder's work happens), e.g.:
//
//   PROF_TARGET=./marked_render.mjs PROF_OUT=/tmp/marked.cpuprofile \
//     node_modules/.bin/deno run -A cli.ts run --no-cache --include 'node_modules/marked/**' \
//     --max-calls 50000000 bench/programs/cpu_profile.mjs
//   node_modules/.bin/deno run -A bench/cpu_profile.ts /tmp/marked.cpuprofile
import { Session } from "node:inspector";
import { writeFileSync } from "node:fs";
import process from "node:process";

const session = new Session();
session.connect();
const post = (method, params) =>
  new Promise((resolve, reject) =>
    session.post(method, params ?? {}, (e, r) => e ? reject(e) : resolve(r))
  );
await post("Profiler.enable");
await post("Profiler.setSamplingInterval", { interval: 200 });
await post("Profiler.start");
await import(process.env.PROF_TARGET);
const { profile } = await post("Profiler.stop");
writeFileSync(process.env.PROF_OUT, JSON.stringify(profile));
