// The clock thread (src/program/recorder/clock.ts) is tph's own worker: it must not load what the
// process was started with. On Node a worker takes the process's options by default, and tph's
// preload is one of them (`--require`): without `execArgv: []` the clock thread loaded the whole
// preload before its loop (tens of MB and ~100 ms of CPU, on every machine with four cores).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { BIN, REPO } from "../../_harness.ts";

const CLOCK = pathToFileURL(join(REPO, "src/program/recorder/clock.ts")).href;

Deno.test("clock thread: started on Node, it does not load the process's --require modules", () => {
  const dir = mkdtempSync(join(tmpdir(), "tph-clock-"));
  try {
    const marks = join(dir, "marks.txt");
    // Stands in for tph's preload: a --require module that notes each thread it is loaded in.
    writeFileSync(
      join(dir, "mark.cjs"),
      `const { threadId } = require("node:worker_threads");\n` +
        `require("node:fs").appendFileSync(${
          JSON.stringify(marks)
        }, "thread " + threadId + "\\n");\n`,
    );
    // The worker the clock makes is counted once it is online (a Worker subclass put in
    // node:worker_threads' exports, where clock.ts takes the class when it starts).
    writeFileSync(
      join(dir, "probe.mjs"),
      `import threads from "node:worker_threads";\n` +
        `const Real = threads.Worker;\n` +
        `let online = 0;\n` +
        `threads.Worker = class extends Real {\n` +
        `  constructor(...args) { super(...args); this.on("online", () => online++); }\n` +
        `};\n` +
        `const clock = await import(${JSON.stringify(CLOCK)});\n` +
        `clock.setClockMode("thread");\n` +
        `clock.startFastClock();\n` +
        `const until = Date.now() + 10_000;\n` +
        `while (online === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));\n` +
        `// Time enough for a preload to load in the worker, had it been given one.\n` +
        `await new Promise((r) => setTimeout(r, 500));\n` +
        `clock.stopFastClock();\n` +
        `console.log("online " + online);\n`,
    );
    const r = spawnSync(BIN.node, ["--require", join(dir, "mark.cjs"), join(dir, "probe.mjs")], {
      cwd: dir,
      encoding: "utf8",
      timeout: 60_000,
      killSignal: "SIGKILL",
    });
    assert.equal(r.status, 0, `probe: ${r.stderr}`);
    assert.equal(r.stdout.trim(), "online 1", "the clock thread started");
    assert.equal(readFileSync(marks, "utf8"), "thread 0\n", "loaded in the main thread only");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
