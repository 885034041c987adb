// `tph view --html` of a run that started processes and workers (issue 48): the page holds each
// child's calls under the call that started it (a node named by the child: `worker 1`, `process
// 4343: child.js fork`), lists them in its header with the function each was started in, and a
// child's page names the run that started it.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CHILD, family, PARENT, WORKER } from "../../_family_runs.ts";
import { assertCode, DENO_TARGET, tph } from "../commands/_cli.ts";
import type { PageData } from "../../../src/run_file/page_data.ts";

/** The page's data block. */
function dataOf(html: string): PageData {
  const block = html.match(/<script type="application\/json" id="tph-data">([^]*?)<\/script>/);
  assert.ok(block, "the page has its data");
  return JSON.parse(block[1]);
}

/** Each row as `depth name`, in the page's order. */
const rows = (d: PageData) => d.calls.map((c) => `${c[1]} ${d.frames[c[0]][0]}`);

Deno.test("tph view --html: the children's calls under the calls that started them", async () => {
  using runs = family();
  const cwd = runs.dir;
  const page = join(cwd, "page.html");
  const r = await tph(DENO_TARGET, ["view", `run_${PARENT}.json`, "--html", "-o", page], { cwd });
  assertCode(r, 0, "tph view --html");
  assert.match(r.stderr, /wrote 10 calls/);
  const data = dataOf(readFileSync(page, "utf8"));
  assert.deepEqual(rows(data), [
    "0 main",
    "1 runJob",
    "2 Worker",
    "3 worker 1",
    "4 work",
    "5 step",
    "1 forkJob",
    "2 fork",
    "3 process 4343: child.js fork",
    "4 triple",
  ]);
  // The worker's calls at their own time (its run started 12 ms after the program's), its node
  // from when it was started.
  const at = (name: string) => data.calls[rows(data).findIndex((r) => r.endsWith(` ${name}`))];
  assert.equal(at("work")[2], 13_000);
  assert.equal(at("worker 1")[2], 11_500);
  assert.equal(at("worker 1")[7], `run ${WORKER}`);
  assert.equal(at("triple")[2], 42_000);
  assert.deepEqual(data.family, {
    parent: null,
    children: [
      {
        kind: "worker",
        pid: 4242,
        thread: 1,
        run: WORKER,
        call: 2,
        started_by: "runJob",
        row: 3,
      },
      {
        kind: "process",
        pid: 4343,
        thread: null,
        run: CHILD,
        call: 7,
        started_by: "forkJob",
        row: 8,
      },
    ],
  });

  // The child's own page names its parent.
  const own = join(cwd, "worker.html");
  const w = await tph(DENO_TARGET, ["view", `run_${WORKER}.json`, "--html", "-o", own], { cwd });
  assertCode(w, 0, "tph view WORKER --html");
  const child = dataOf(readFileSync(own, "utf8"));
  assert.deepEqual(rows(child), ["0 work", "1 step"]);
  assert.deepEqual(child.family, {
    parent: { run: PARENT, kind: "worker", call: 2 },
    children: [],
  });
});
