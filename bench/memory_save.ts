// Memory of one million recorded calls, and the time to save them.
//
// An instrumented loop calls a small instrumented function with an object argument 10^6 times
// under one Trace (maxCalls 1.1e6): 1,000,001 calls (the loop's own call is the root). Then the
// trace is saved as `tph run` does: streamed to a (temp) file by writeTraceJSON.
// Requirements: memory growth < 300 MB (RSS and heap, after a full GC where the runtime allows);
// saving < 1 s.
//
//   deno run -A bench/memory_save.ts     bun bench/memory_save.ts

import process from "node:process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { instrument } from "../src/program/instrument/instrument.ts";
import { runtime } from "../src/program/recorder/recorder.ts";
import { writeTraceJSON } from "../src/program/recorder/to_json.ts";
import { writeTraceRun } from "../src/program/recorder/run_writer.ts";
import { fullGC, mib, num, record, RT, verdict } from "./_common.ts";

const BENCH = "memory_save";
const N = 1_000_000;
const MEM_MAX_MB = 300;
const SAVE_MAX_MS = 1000;

const SOURCE = `export function touch(item) { return item.id + 1; }
export function loop(n) {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += touch({ id: i, name: "item", tags: ["a", "b"] });
  return sum;
}
`;

const rt = runtime();
const dir = mkdtempSync(join(tmpdir(), "tph-bench-mem-"));
let failed = 0;
try {
  const file = join(dir, "loop.mjs");
  writeFileSync(file, instrument(SOURCE, { filename: file }).code);
  const mod: { loop: (n: number) => number } = await import(pathToFileURL(file).href);
  mod.loop(1000); // compile it (untraced)

  const gc = fullGC();
  const m0 = process.memoryUsage();
  const t = runtime().startTrace({ maxCalls: 1_100_000 });
  rt.setProcessTrace(t);
  const s0 = performance.now();
  mod.loop(N);
  const recordMs = performance.now() - s0;
  t.active = false;
  rt.setProcessTrace(null);
  if (t.count !== N + 1 || t.droppedTotal !== 0) {
    throw new Error(`recorded ${t.count} calls (${t.droppedTotal} dropped), not ${N + 1}`);
  }
  const mPeak = process.memoryUsage();
  fullGC();
  const m1 = process.memoryUsage();
  const rssMb = mib(m1.rss - m0.rss);
  const heapMb = mib(m1.heapUsed - m0.heapUsed);
  const memPass = rssMb < MEM_MAX_MB && heapMb < MEM_MAX_MB;
  if (!memPass) failed++;
  console.log(
    `${RT} record 1,000,001 calls (object argument): ${num(recordMs, 0)} ms = ${
      num((recordMs * 1e6) / (N + 1), 0)
    } ns/call`,
  );
  console.log(
    `${RT} memory held by the trace: RSS +${num(rssMb, 0)} MB, heap +${num(heapMb, 0)} MB ` +
      `(${num((m1.heapUsed - m0.heapUsed) / (N + 1), 0)} B/call; ${
        gc ? "after a full GC" : "no GC control"
      }; RSS +${num(mib(mPeak.rss - m0.rss), 0)} MB before it) ${
        verdict(memPass, `<${MEM_MAX_MB} MB`)
      }`,
  );
  record({
    bench: BENCH,
    metric: "1M calls: RSS growth",
    value: rssMb,
    unit: "MB",
    req: `<${MEM_MAX_MB}`,
    pass: rssMb < MEM_MAX_MB,
  });
  record({
    bench: BENCH,
    metric: "1M calls: heap growth",
    value: heapMb,
    unit: "MB",
    req: `<${MEM_MAX_MB}`,
    pass: heapMb < MEM_MAX_MB,
  });

  // Save as `tph run` does: the run format (src/run_file/format.ts), written once, in a process
  // that has not written one before (its code runs cold, as in `tph run`), then twice more.
  const runFile = join(dir, "trace.tph");
  const runMs: number[] = [];
  for (let k = 0; k < 3; k++) {
    const a = performance.now();
    writeTraceRun(t, "bench", runFile);
    runMs.push(performance.now() - a);
  }
  const runPass = runMs[0] < SAVE_MAX_MS;
  if (!runPass) failed++;
  console.log(
    `${RT} save in the run format (tph run): ${num(runMs[0], 0)} ms first, ${
      num(Math.min(runMs[1], runMs[2]), 0)
    } ms after = ${num((runMs[0] * 1e6) / (N + 1), 0)} ns/call first; ${
      num(statSync(runFile).size / 1e6, 0)
    } MB ${verdict(runPass, `<${SAVE_MAX_MS} ms`)}`,
  );
  record({
    bench: BENCH,
    metric: "1M calls: save (run format)",
    value: runMs[0],
    unit: "ms",
    req: `<${SAVE_MAX_MS}`,
    pass: runPass,
  });

  // The JSON a library trace writes (writeTraceJSON), streamed to a file.
  const out = join(dir, "trace.json");
  const a = performance.now();
  writeTraceJSON(t, "bench", out);
  const saveMs = performance.now() - a;
  const mSave = process.memoryUsage();
  const savePass = saveMs < SAVE_MAX_MS;
  if (!savePass) failed++;
  const doc = JSON.parse(readFileSync(out, "utf8"));
  if (doc.trace.length !== 1 || doc.trace[0].children.length !== N) {
    throw new Error("unexpected call tree shape");
  }
  console.log(
    `${RT} save (streamed to a file): ${num(saveMs, 0)} ms; ${
      num(statSync(out).size / 1e6, 0)
    } MB of JSON; RSS while saving +${num(mib(mSave.rss - m0.rss), 0)} MB ${
      verdict(savePass, `<${SAVE_MAX_MS} ms`)
    }`,
  );
  record({
    bench: BENCH,
    metric: "1M calls: save",
    value: saveMs,
    unit: "ms",
    req: `<${SAVE_MAX_MS}`,
    pass: savePass,
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exitCode = failed > 0 ? 1 : 0;
