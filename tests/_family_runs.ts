// A program's run with the runs of a worker and a child process it started, as `tph run` stores
// them (src/cli/launch/child_runs.ts): each child's meta names its parent, the program's lists
// its children with the calls that started them.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openRun, type RunFile } from "../src/run_file/decode.ts";
import "./_run_file.ts"; // raw runs made run files when read

export const T0 = Date.parse("2026-11-26T10:00:00.000Z");
export const PARENT = "20261126T100000_000_aaaaaa";
export const WORKER = "20261126T100000_012_bbbbbb";
export const CHILD = "20261126T100000_040_cccccc";

const call = (
  name: string,
  start: number,
  elapsed: number,
  children: unknown[] = [],
  external = false,
) => ({
  name,
  module: external ? "node:x" : "main.js",
  file: external ? "" : "/p/main.js",
  line: external ? 0 : 3,
  kind: "function",
  args: {},
  return_value: "undefined",
  start_ms: start,
  elapsed_ms: elapsed,
  ...(external ? { external: true } : {}),
  children,
});

const run = (timestamp: number, command: string[], trace: unknown[], extra = {}) => ({
  schema: 1,
  tracepatch_version: "0.1.0",
  timestamp: new Date(timestamp).toISOString(),
  label: null,
  call_count: JSON.stringify(trace).match(/"name"/g)!.length,
  was_limited: false,
  limit_reason: null,
  dropped_calls: 0,
  config: {
    max_depth: 30,
    max_calls: 1000,
    max_repr: 120,
    ignore_modules: [],
    include: [],
    exclude: [],
  },
  run: {
    command,
    cwd: "/p",
    runtime: "node",
    runtime_version: "24.0.0",
    ended: "completed",
    exit_code: 0,
    signal: null,
    duration_ms: 100,
  },
  ...extra,
  trace,
});

/**
 * A program (main > runJob > new Worker, main > forkJob > fork), its worker (thread 1 of pid
 * 4242) and its child process (pid 4343), as `tph run` stores them.
 */
export function family(
  // deno-lint-ignore no-explicit-any
  change: (id: string, run: any) => void = () => {},
): { dir: string; files: RunFile[]; [Symbol.dispose](): void } {
  const dir = mkdtempSync(join(tmpdir(), "tph-children-export-"));
  const parent = { run: PARENT, timestamp: new Date(T0).toISOString() };
  const runs: [string, unknown][] = [
    [
      PARENT,
      run(T0, ["main.js"], [
        call("main", 0, 100, [
          call("runJob", 10, 20, [call("Worker", 11, 1, [], true)]),
          call("forkJob", 30, 60, [call("fork", 31, 58, [], true)]),
        ]),
      ], {
        children: [
          { run: WORKER, call: 2, kind: "worker", pid: 4242, thread: 1, start_ms: 11.5 },
          { run: CHILD, call: 4, kind: "process", pid: 4343, start_ms: 31 },
        ],
      }),
    ],
    [
      WORKER,
      run(T0 + 12, ["worker.js"], [call("work", 1, 5, [call("step", 2, 1)])], {
        parent: { ...parent, call: 2, kind: "worker", pid: 4242, thread: 1 },
      }),
    ],
    [
      CHILD,
      run(T0 + 40, ["child.js", "fork"], [call("triple", 2, 3)], {
        parent: { ...parent, call: 4, kind: "process", pid: 4343 },
      }),
    ],
  ];
  const files = runs.map(([id, json]) => {
    const path = join(dir, `run_${id}.json`);
    change(id, json);
    writeFileSync(path, JSON.stringify(json));
    return openRun(path);
  });
  return {
    dir,
    files,
    [Symbol.dispose]() {
      for (const f of files) f.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
