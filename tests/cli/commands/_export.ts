// Runs in tph's run format read back: `tph export` writes what `tph run -o` wrote, byte for byte;
// `tph tree --max-depth` counts what it did not read; a run file cut short, or written in a
// newer format, is one line, and `tph logs` skips it with a warning.

import assert from "node:assert/strict";
import { readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { assertCode, exec, FIXTURES, lines, summaryOf, type Target, tempDir, tph } from "./_cli.ts";
import { RUN_FORMAT_VERSION } from "../../../src/run_file/format.ts";

export function exportTests(t: Target): void {
  Deno.test(`tph export writes the run as tph run -o did (${t.name})`, async () => {
    await using dir = tempDir({ s: join(FIXTURES, "scale") });
    const cwd = join(dir.path, "s");
    const run = await tph(t, ["run", "-o", "out.json", "nested.ts"], { cwd });
    assertCode(run, 0, "tph run -o out.json nested.ts");
    const { calls, saved } = summaryOf(run);
    assert.equal(calls, 3 + 24 + 192);
    assert.match(saved, /\.tph$/);
    const json = readFileSync(join(cwd, "out.json"), "utf8");
    const exported = await tph(t, ["export", "last"], { cwd });
    assertCode(exported, 0, "tph export last");
    assert.equal(exported.stdout, json, "stdout is the -o file, byte for byte");
    const toFile = await tph(t, ["export", "last", "-o", "again.json"], { cwd });
    assertCode(toFile, 0, "tph export last -o again.json");
    assert.equal(readFileSync(join(cwd, "again.json"), "utf8"), json);
    // The stored run is a fraction of the JSON.
    const stored = readFileSync(join(cwd, saved));
    assert.ok(
      stored.length * 4 < json.length,
      `${stored.length} bytes stored, ${json.length} JSON`,
    );
    // A JSON run given as a path exports as it is.
    const again = await tph(t, ["export", "out.json"], { cwd });
    assert.equal(again.stdout, json);
  });

  Deno.test(`tph tree draws a stored run as it reads it, as from its JSON (${t.name})`, async () => {
    await using dir = tempDir({ s: join(FIXTURES, "scale") });
    const cwd = join(dir.path, "s");
    // Limits that leave calls out under calls and at the top level, and none.
    for (const limits of [[], ["--max-calls", "50"], ["--max-depth", "2"]]) {
      const run = await tph(t, ["run", ...limits, "-o", "out.json", "nested.ts"], { cwd });
      assertCode(run, 0, `tph run ${limits.join(" ")}`);
      for (
        const depth of [
          [],
          ["--max-depth", "1"],
          ["--max-depth", "2"],
          ["--no-args"],
          ["--filter", "leaf"],
          ["--filter", "mid", "--max-depth", "1"],
          ["--filter", "leaf", "--max-depth", "2"],
          ["--filter", "to", "--style", "ascii"],
        ]
      ) {
        const [stored, json] = await Promise.all([
          tph(t, ["tree", "last", ...depth], { cwd }),
          tph(t, ["tree", "out.json", ...depth], { cwd }),
        ]);
        const what = `tph tree ${depth.join(" ")} of a run with ${limits.join(" ") || "no limits"}`;
        // A filter that matches nothing of a run cut short fails the same way for both.
        assert.equal(stored.code, json.code, `${what}: the same exit code as from the JSON`);
        if (json.code !== 0) {
          assert.ok(depth[0] === "--filter" && limits.length > 0, `${what}: ${json.stderr}`);
          assert.equal(stored.stderr, json.stderr.replace("out.json", "last"));
          continue;
        }
        assertCode(stored, 0, what);
        assert.equal(stored.stdout, json.stdout, `${what}: the same tree as from the JSON`);
        if (limits.length === 0 && depth[1] === "1") assert.match(stored.stdout, /… 72 more calls/);
        if (limits.length === 0 && depth[1] === "2") assert.match(stored.stdout, /… 8 more calls/);
        if (limits.length === 0 && depth[1] === "leaf" && depth.length === 2) {
          assert.equal(lines(stored.stdout).length, 3 + 24 + 192, "every call leads to a leaf");
        }
        if (limits.length === 0 && depth[1] === "mid") {
          assert.match(stored.stdout, /… 72 more calls/);
        }
        if (limits.length === 0 && depth[1] === "leaf" && depth[3] === "2") {
          // The calls on the way to a match sum up the matches below them.
          assert.match(stored.stdout, /├── mid\(.*\n│ {3}│ {3}└── … 8 more calls/);
        }
        if (limits[0] === "--max-calls" && depth.length === 0) {
          assert.match(stored.stdout, /left out \(max_calls\)/);
        }
      }
    }
    // Past 64 levels the lines name their depth: drawn the same way too.
    const deep = await tph(t, ["run", "--max-depth", "200", "-o", "deep.json", "deep.ts"], { cwd });
    assertCode(deep, 0, "tph run deep.ts");
    for (const depth of [[], ["--max-depth", "80"]]) {
      const [stored, json] = await Promise.all([
        tph(t, ["tree", "last", ...depth], { cwd }),
        tph(t, ["tree", "deep.json", ...depth], { cwd }),
      ]);
      assertCode(stored, 0, `tph tree ${depth.join(" ")} of deep.ts`);
      assert.equal(stored.stdout, json.stdout, `deep.ts ${depth.join(" ")}: as from the JSON`);
      assert.match(stored.stdout, /\[depth 65\] /);
    }
    assertCode(await tph(t, ["run", "-o", "out.json", "nested.ts"], { cwd }), 0, "tph run");
    const view = await tph(t, ["view", "last", "--json"], { cwd });
    const roots = JSON.parse(view.stdout).roots;
    assert.deepEqual(roots.map((r: { calls: number }) => r.calls), [73, 73, 73]);
  });

  Deno.test(`tph tree and export stop quietly when their reader goes (${t.name})`, async () => {
    await using dir = tempDir({ s: join(FIXTURES, "scale") });
    const cwd = join(dir.path, "s");
    const run = await tph(t, ["run", "--max-calls", "200000", "many.ts"], { cwd });
    assertCode(run, 0, "tph run many.ts");
    const tphLine = t.tph.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
    const tree = await exec(["sh", "-c", `${tphLine} tree last | head -n 2`], { cwd });
    assert.match(
      tree.stdout,
      /^└── main\(\) -> 4999950000 {2}\[.+\]\n {4}├── leaf\(i=0\) -> 0 {2}\[.+\]\n$/,
    );
    assert.equal(tree.stderr, "");
    const json = await exec(["sh", "-c", `${tphLine} export last | head -c 10`], { cwd });
    assert.equal(json.stdout, '{"schema":');
    assert.equal(json.stderr, "");
  });

  Deno.test(`a run file cut short or from a newer tph is one line (${t.name})`, async () => {
    await using dir = tempDir({ s: join(FIXTURES, "scale") });
    const cwd = join(dir.path, "s");
    const { saved } = summaryOf(await tph(t, ["run", "nested.ts"], { cwd }));
    const file = join(cwd, saved);
    const whole = readFileSync(file);
    truncateSync(file, Math.floor(whole.length / 2));
    for (const cmd of ["view", "tree", "export"]) {
      const r = await tph(t, [cmd, saved], { cwd });
      assertCode(r, 1, `tph ${cmd} of a truncated run`);
      assert.match(r.stderr, /^tph: Cannot read run ".*": the run file is truncated/m);
      assert.equal(lines(r.stderr).length, 1, r.stderr);
    }
    const logs = await tph(t, ["logs"], { cwd });
    assertCode(logs, 0, "tph logs");
    assert.match(logs.stderr, /warning: Skipping "run_.*\.tph": the run file is truncated/);
    // Bytes changed inside the calls: one line, whatever they decode to.
    const damaged = Uint8Array.from(whole);
    for (let k = 0; k < 40; k++) damaged[8 + ((k * 7919) % 600)] ^= 0x5a;
    writeFileSync(file, damaged);
    for (const cmd of ["tree", "export"]) {
      const r = await tph(t, [cmd, saved], { cwd });
      assertCode(r, 1, `tph ${cmd} of a damaged run`);
      assert.match(r.stderr, /^tph: Cannot read run ".*": the run file is truncated or damaged$/m);
      assert.ok(!r.stderr.includes("internal error"), r.stderr);
    }
    const newer = Uint8Array.from(whole);
    newer[7] = 99;
    writeFileSync(file, newer);
    const r = await tph(t, ["view", saved], { cwd });
    assertCode(r, 1, "tph view of a newer format");
    assert.ok(
      r.stderr.includes(
        `written in run format 99, this tph reads up to ${RUN_FORMAT_VERSION}; upgrade tph`,
      ),
      r.stderr,
    );
  });
}
