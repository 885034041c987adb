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
import { CHROMIUM, launch, openPage } from "./_browser.ts";

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
  // The calls of the three runs (the nodes that hold the children's are not calls).
  assert.match(r.stderr, /wrote 8 calls/);
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
        name: "worker 1",
      },
      {
        kind: "process",
        pid: 4343,
        thread: null,
        run: CHILD,
        call: 7,
        started_by: "forkJob",
        row: 8,
        name: "process 4343",
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

Deno.test({
  name: `tph view --html: the header links to each child's calls${
    CHROMIUM === undefined ? " (no Chromium here: ignored)" : ""
  }`,
  ignore: CHROMIUM === undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    using runs = family();
    const cwd = runs.dir;
    const file = join(cwd, "page.html");
    const r = await tph(DENO_TARGET, ["view", `run_${PARENT}.json`, "--html", "-o", file], {
      cwd,
    });
    assertCode(r, 0, "tph view --html");
    const browser = await launch();
    try {
      const p = await openPage(browser, file);
      const line = await p.page.textContent("header .family");
      assert.match(line!, /started 2 processes and workers:/);
      assert.match(line!, /worker 1 \(started by runJob\)/);
      assert.match(line!, /process 4343 \(started by forkJob\)/);
      // A child's link selects the node that holds its calls, opened to them.
      await p.page.click("header .family a:nth-of-type(2)");
      assert.match((await p.page.textContent(".row.sel"))!, /^.process 4343: child\.js fork/);
      await p.page.click("header .family a:nth-of-type(1)");
      assert.match((await p.page.textContent(".row.sel"))!, /^.worker 1 -> run /);
      const rows = await p.page.$$eval(".row", (rs) => rs.map((r) => r.textContent ?? ""));
      assert.ok(rows.some((r) => /^.work\(\)/.test(r)), rows.join("\n"));
      // The nodes are no functions; the calls that started children keep their own time.
      const table = await p.page.$$eval(
        ".funcs tbody tr",
        (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent ?? "")),
      );
      const names = table.map((cells) => cells[0]);
      assert.ok(!names.some((n) => /^(worker|process) /.test(n)), names.join(", "));
      assert.equal(table.find((cells) => cells[0] === "Worker")?.[3], "1.00ms");
      assert.deepEqual([p.requests, p.errors, p.dialogs], [[], [], []]);
      await p.page.context().close();
    } finally {
      await browser.close();
    }
  },
});
