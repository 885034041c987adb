// The recorder's warm-up (recorder.ts, warmUp: its paths run on a scratch tape before the first
// trace, on JavaScriptCore) leaves nothing behind: a trace recorded after it is the same as one
// recorded before it, whatever the recorder was doing when it ran (here: inside a recorded call,
// while an external call of it takes its arguments).

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { instrument } from "../../../src/program/instrument/instrument.ts";
import { rethrownLast, runtime, warmUp } from "../../../src/program/recorder/recorder.ts";
import { traceToJSON } from "../../../src/program/recorder/to_json.ts";
import { loadInstrumented, traceRun } from "./_module_trace.ts";
import type { TraceLimits } from "../../../src/run_file/limits.ts";
import type { RunJSON } from "../../../src/types.ts";

const SOURCE = `
export class Token { constructor(t) { this.type = t; } }
export function leaf(x) { return x; }
export function around(f) { leaf(1); Object.defineProperty({}, "x", { value: f() }); return leaf(2); }
export function pair(a, b) { return [a, b]; }
export function three(a, b, c) { return { a, b, c }; }
export function five(a, b, c, d, e) { return e; }
export function fails(x) { throw new Error("no " + x); }
export function work(n) {
  for (let i = 0; i < n; i++) {
    leaf(i);
    leaf("s" + (i % 3));
    pair(new Token("t"), [i]);
    three(i, "x".repeat(300), { i });
    five(1, 2.5, null, undefined, new Token(i));
    try { fails(i); } catch {}
  }
  return n;
}
`;

/** The run without times. */
function plain(run: RunJSON): unknown {
  return JSON.parse(
    JSON.stringify(run, (k, v) => (/time|duration|_ms$|^id$|^start/.test(k) ? undefined : v)),
  );
}

Deno.test("warm-up: a trace recorded after it is the one recorded before it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tph-warm-"));
  try {
    const file = join(dir, "m.mjs");
    writeFileSync(file, instrument(SOURCE, { filename: file, module: "m.mjs" }).code);
    const m = await import(file);
    const rt = runtime();
    const traced = (limits: TraceLimits, warm: boolean): RunJSON => {
      const t = rt.startTrace({ maxCalls: 10_000, ...limits });
      rt.setProcessTrace(t);
      try {
        m.work(30);
        // In the middle of a recorded call, as at a trace() block's start in a program.
        m.around(() => {
          if (warm) warmUp(limits);
        });
        m.work(30);
      } finally {
        t.active = false;
        rt.setProcessTrace(null);
        rt.detach(t);
      }
      return traceToJSON(t, null);
    };
    for (const limits of [{ details: 2 }, { details: "all" as const }, { maxDepth: 1 }]) {
      // Warmed first: the first trace's tape starts at handle 0, as a program's does.
      const started = rt.tracesStarted();
      const after = traced(limits, true);
      assert.equal(rt.tracesStarted(), started + 1);
      const before = traced(limits, false);
      assert.ok(before.call_count > ("maxDepth" in limits ? 1 : 200), `${before.call_count}`);
      assert.deepEqual(plain(after), plain(before), JSON.stringify(limits));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("warm-up: its time is in no call's (taken out of the clock)", async () => {
  const { dir, m } = await loadInstrumented(SOURCE, "tph-warm-");
  try {
    let took = 0;
    const run = await traceRun({}, () => {
      m.work(3);
      m.around(() => {
        const at = performance.now();
        // Made long enough to see whatever the machine's load: the warm-up and a wait inside it.
        while (performance.now() - at < 30) warmUp({});
        took = performance.now() - at;
      });
      m.work(3);
    });
    const roots = run.trace;
    const around = roots.find((c) => c.name === "around")!;
    assert.ok(took >= 30, `${took}`);
    // around's own work is microseconds: the 30 ms of warm-ups inside it are not counted.
    assert.ok(around.elapsed_ms! < 10, JSON.stringify(around.elapsed_ms));
    // The calls after it start after it ended (the clock never goes back).
    const after = roots[roots.indexOf(around) + 1];
    assert.ok(after.start_ms >= around.start_ms + around.elapsed_ms!, JSON.stringify(after));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("warm-up: the error a call last threw stays the one known (uncaught errors)", async () => {
  const { dir, m } = await loadInstrumented(SOURCE, "tph-warm-");
  try {
    await traceRun({}, () => {
      let caught: unknown = undefined;
      try {
        m.fails(1);
      } catch (e) {
        caught = e;
      }
      // As when the warm-up runs in a call a finally block makes while the error goes up.
      assert.ok(rethrownLast(caught));
      warmUp({});
      assert.ok(rethrownLast(caught));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
