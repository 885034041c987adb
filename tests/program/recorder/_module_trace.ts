// A module of instrumented source loaded from a temp folder, and a trace of a body of calls into
// it, for the recorder's tests that check what tph run records of instrumented code.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { instrument } from "../../../src/program/instrument/instrument.ts";
import { runtime } from "../../../src/program/recorder/recorder.ts";
import { traceToJSON } from "../../../src/program/recorder/to_json.ts";
import type { TraceLimits } from "../../../src/run_file/limits.ts";
import type { RunJSON } from "../../../src/types.ts";

/** `source` instrumented as `m.mjs` in a new temp folder named from `prefix`, and imported. */
export async function loadInstrumented(
  source: string,
  prefix: string,
  // deno-lint-ignore no-explicit-any
): Promise<{ dir: string; m: any }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const file = join(dir, "m.mjs");
  writeFileSync(file, instrument(source, { filename: file, module: "m.mjs" }).code);
  return { dir, m: await import(file) };
}

/**
 * Run `body` under a trace with `limits` (10,000 calls unless they say), waiting `settleMs` after
 * it (timers its calls started); the trace's JSON document.
 */
export async function traceRun(
  limits: TraceLimits,
  body: () => unknown,
  settleMs = 0,
): Promise<RunJSON> {
  const rt = runtime();
  const t = rt.startTrace({ maxCalls: 10_000, ...limits });
  rt.setProcessTrace(t);
  try {
    await body();
    if (settleMs > 0) await new Promise((r) => setTimeout(r, settleMs));
  } finally {
    t.active = false;
    rt.setProcessTrace(null);
    rt.detach(t);
  }
  return traceToJSON(t, null);
}
