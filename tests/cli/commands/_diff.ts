// `tph diff` on purpose-built pairs of runs of tests/fixtures/cli/diff/app.ts: an added call, a
// removed one, a changed argument deep in the tree, an error that appears, one call of a loop of
// 10,000 that differs, concurrent async calls started in another order, runs cut by limits, a
// run against itself, Deno against Bun, and the options.

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  assertCode,
  BUN_TARGET,
  FIXTURES,
  type Result,
  type Target,
  tempDir,
  tph,
} from "./_cli.ts";

interface DiffJSON {
  a: { id: string; call_count: number };
  b: { id: string; call_count: number };
  summary: { changed: number; added: number; removed: number; same: number };
  changes: {
    kind: "added" | "removed" | "changed";
    path: string[];
    fields: string[];
    a: { name: string; args: Record<string, string>; return_value: string | null } | null;
    b: { name: string; args: Record<string, string>; return_value: string | null } | null;
  }[];
}

const ALL = ["--max-calls", "100000"];

export function diffTests(t: Target): void {
  /** A fresh folder with app.ts; `run(modes)` stores a run of it. */
  const setup = () => {
    const dir = tempDir({ d: join(FIXTURES, "diff") });
    const cwd = join(dir.path, "d");
    const run = async (modes = "", target = t, limits = ALL, env: Record<string, string> = {}) => {
      const r = await tph(target, ["run", ...limits, "app.ts", modes], { cwd, env });
      assertCode(r, 0, `tph run app.ts ${modes}`);
    };
    const diff = (...args: string[]) => tph(t, ["diff", ...args], { cwd });
    const json = async (...args: string[]): Promise<[Result, DiffJSON]> => {
      const r = await diff(...args, "--json");
      return [r, JSON.parse(r.stdout)];
    };
    return { dir, cwd, run, diff, json };
  };
  /** The changes that are not the top-level filter over the mode words (which names them). */
  const own = (d: DiffJSON) =>
    d.changes.filter((c) => !(c.path.length === 1 && c.path[0] === "filter callback"));

  Deno.test(`tph diff: a run against itself, and the base cases (${t.name})`, async () => {
    const s = setup();
    await using _ = s.dir;
    await s.run();
    const self = await s.diff("1", "1");
    assertCode(self, 0, "tph diff 1 1");
    assert.match(
      self.stdout,
      /^No differences: 0 changed, 0 added, 0 removed; 10,0\d\d calls the same\n$/,
    );
    // Twice the same program: the same, though its timers hold the clock.
    await s.run();
    assertCode(await s.diff(), 0, "tph diff of two runs of the same program");
    // Timer handles show what their users read (`Timeout(5 ms)`), not the clock they hold.
    assertCode(await s.diff("--exact"), 0, "tph diff --exact of two runs of the same program");

    await s.run("add");
    const [added, a] = await s.json("2", "1");
    assertCode(added, 1, "an added call");
    assert.deepEqual(own(a).map((c) => [c.kind, c.path.join(" > ")]), [["added", "main > audit"]]);
    assert.equal(a.summary.added, 1);
    assert.equal(a.summary.removed, 0);
    const text = await s.diff("2", "1");
    assert.match(text.stdout, /^\+ .*audit\(what="items"\) -> "audited items"$/m);
    assert.match(text.stdout, /^ .*… \d+ unchanged calls$/m);
    assert.match(text.stdout, /1 changed, 1 added, 0 removed; [\d,]+ calls the same\n$/);

    await s.run("remove");
    const [, r] = await s.json("3", "1");
    // The arrow is named by its place, whatever line it is on.
    assert.deepEqual(own(r).map((c) => [c.kind, c.path.join(" > "), c.a?.args.n]), [
      ["removed", "main > main › forEach callback > process1 > validate", "2"],
    ]);

    await s.run("deep");
    // Runs now: deep (1), remove, add, base (4), base.
    const [, d] = await s.json("4", "1");
    assert.deepEqual(own(d).map((c) => [c.kind, c.path.join(" > "), c.fields.join()]), [
      ["changed", "main > chain > b", "args,return_value"],
      ["changed", "main > chain > b > c", "args,return_value"],
      ["changed", "main > chain > b > c > d", "args,return_value"],
    ]);
    assert.deepEqual(own(d).map((c) => [c.a?.args.x, c.b?.args.x]), [["20", "21"], ["20", "21"], [
      "21",
      "22",
    ]]);
    const deep = await s.diff("4", "1");
    assert.match(deep.stdout, /^~ .*d\(x=21 → 22\) -> 42 → 44$/m);

    await s.run("throw");
    const [, e] = await s.json("5", "1");
    const validate = own(e).find((c) => c.path.at(-1) === "validate")!;
    assert.deepEqual(validate.fields, ["return_value", "exception"]);
    assert.equal(validate.a?.return_value, "true");
    assert.match(
      await s.diff("5", "1").then((x) => x.stdout),
      /validate\(item="kiwi", n=3\) -> true → !! RangeError: item 3 is bad/,
    );
  });

  Deno.test(`tph diff: one call of 10,000 in a loop, async order, limits (${t.name})`, async () => {
    const s = setup();
    await using _ = s.dir;
    await s.run();
    await s.run("loop");
    const [r, l] = await s.json();
    assertCode(r, 1, "a loop with one call changed");
    assert.deepEqual(own(l).map((c) => [c.path.join(" > "), c.a?.args.i, c.b?.args.i]), [
      ["main > loop > step", "5000", "-1"],
    ]);
    assert.equal(l.summary.added + l.summary.removed, 0);
    assert.ok(l.summary.same > 10_000, `${l.summary.same} the same`);
    const text = await s.diff();
    assert.match(text.stdout, /… 4,999 unchanged calls/);
    assert.match(text.stdout, /… 4,998 unchanged calls/);

    // Concurrent calls started in the other order: moved without --unordered, the same with it.
    await s.run("loop,shuffle");
    const moved = await s.diff();
    assertCode(moved, 1, "tph diff of fetches in another order");
    const [u, uj] = await s.json("--unordered");
    assertCode(u, 1, "only the mode words' filter differs");
    assert.deepEqual(own(uj), []);

    // Cut by limits: the calls past the limit are only in the run without it.
    await s.run("loop,shuffle", t, ["--max-calls", "500"]);
    const [c, cj] = await s.json("--unordered");
    assertCode(c, 1, "a run cut by limits");
    assert.ok(cj.summary.removed > 9_000, `${cj.summary.removed} removed`);
    assert.ok(
      cj.changes.some((x) => x.kind === "changed" && x.fields.includes("limits")),
      "a call cut by the limit says so",
    );
  });

  Deno.test(`tph diff: options, refs and trouble (${t.name})`, async () => {
    const s = setup();
    await using _ = s.dir;
    await s.run("id");
    await s.run("id");
    // A random id differs in each run.
    const [r, j] = await s.json();
    assertCode(r, 1, "two runs making random ids");
    assert.deepEqual(own(j).map((c) => c.path.at(-1)), ["makeId"]);
    assertCode(await s.diff("--ignore-values", "id-\\d+"), 0, "--ignore-values");
    assertCode(await s.diff("--ignore", "makeId"), 0, "--ignore makeId");
    assertCode(await s.diff("--ignore-return"), 0, "--ignore-return");
    assertCode(await s.diff("--filter", "loop"), 0, "--filter loop (no difference there)");
    assertCode(await s.diff("--filter", "make"), 1, "--filter make");
    assertCode(await s.diff("--max-depth", "1"), 0, "--max-depth 1 (main is the same)");
    // A run file given as a path, in the JSON format, compares with the stored run it came from.
    assertCode(await tph(t, ["export", "1", "-o", "one.json"], { cwd: s.cwd }), 0, "export");
    assertCode(await s.diff("one.json", "1", "--exact"), 0, "its JSON export against the run");
    const summary = await s.diff("--summary");
    assert.match(summary.stdout, /^function\s+calls\s+total\s+change\s+self$/m);
    assert.match(summary.stdout, /^step\s+10,000\s/m);
    // Trouble is exit 2, in one line.
    for (
      const [args, message] of [
        [["nope"], /^tph: Cannot read run "nope": /],
        [["--filter", "zzz"], /^tph: No call in either run has a name containing "zzz"\n$/],
        [["--timing=0.5"], /^tph: --timing takes a ratio above 1/],
        [["--ignore-values", "("], /^tph: --ignore-values takes a regular expression/],
        [["--context", "x"], /context/],
      ] as [string[], RegExp][]
    ) {
      const bad = await s.diff(...args);
      assertCode(bad, 2, `tph diff ${args.join(" ")}`);
      assert.match(bad.stderr, message);
      assert.equal(bad.stdout, "");
    }
  });

  Deno.test(`tph diff --timing: a call slower by the ratio and 1 ms (${t.name})`, async () => {
    const s = setup();
    await using _ = s.dir;
    await s.run();
    await s.run("", t, ALL, { APP_SLOW: "1" });
    assertCode(await s.diff(), 0, "times are not compared without --timing");
    const [r, j] = await s.json("--timing");
    assertCode(r, 1, "tph diff --timing");
    const slower = j.changes.filter((c) => c.fields.includes("elapsed_ms"));
    // pause() and the calls it is under (main, which awaits it, is an async call of its own).
    assert.ok(slower.some((c) => c.path.at(-1) === "pause"), JSON.stringify(slower));
    assert.ok(slower.every((c) => c.fields.join() === "elapsed_ms"));
    const text = await s.diff("--timing");
    assert.match(text.stdout, /^~ .*pause\(\) -> 1 \[\d+µs → [\d.]+m?s\]$/m);
  });

  if (t.name === "deno") {
    Deno.test("tph diff: a run on Deno against one on Bun of the same program", async () => {
      const s = setup();
      await using _ = s.dir;
      await s.run("", t);
      await s.run("", BUN_TARGET);
      const r = await s.diff();
      assertCode(r, 0, "tph diff deno bun");
      // Deno's timer handle says its delay, Bun's does not: compared as recorded, they differ.
      const exact = await s.diff("--exact");
      assertCode(exact, 1, "tph diff --exact deno bun");
      assert.match(
        exact.stdout,
        /~ .*setTimeout\(.*Timeout → Timeout\(\d+ ms\)|~ .*setTimeout\(.*Timeout\(\d+ ms\) → Timeout/,
      );
    });
  }
}
