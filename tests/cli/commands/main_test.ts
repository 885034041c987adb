// main() called in-process (the CLI's entry point, with its output and terminal given to it):
// what only this way can show, such as the colours it writes to a terminal. Everything seen from
// outside is tested on tph itself run as a subprocess (deno_test.ts, bun_test.ts, binary_test.ts).

import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../../src/cli/commands/main.ts";
import { FIXTURE_IDS, projectWithRuns } from "../../store/_cache.ts";

/** `tph tree 1 …args` run by main() in `root`, on a terminal or not, with `env`. */
async function tree1(
  root: string,
  args: string[],
  isTerminal: boolean,
  env: Record<string, string>,
) {
  const out: string[] = [];
  const err: string[] = [];
  // tph tree draws as bytes, through outBytes.
  const code = await main(["tree", "1", ...args], {
    out: (t) => out.push(t),
    outBytes: (b, n) => (out.push(new TextDecoder().decode(b.subarray(0, n))), true),
    err: (t) => err.push(t),
    cwd: root,
    isTerminal,
    env,
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

Deno.test("main() colours only on a terminal, and never with NO_COLOR set", async () => {
  const { root } = projectWithRuns();
  const run = async (isTerminal: boolean, env: Record<string, string>) => {
    const r = await tree1(root, [], isTerminal, env);
    assert.equal(r.code, 0);
    assert.equal(r.err, "");
    return r.out;
  };
  assert.ok((await run(true, {})).includes("\x1b[36mserve\x1b[0m"));
  assert.ok(!(await run(true, { NO_COLOR: "1" })).includes("\x1b["));
  assert.ok(!(await run(false, {})).includes("\x1b["));
});

Deno.test("main(): --color and FORCE_COLOR decide colours over the terminal and NO_COLOR", async () => {
  const { root } = projectWithRuns();
  const run = (args: string[], isTerminal: boolean, env: Record<string, string>) =>
    tree1(root, args, isTerminal, env);
  const coloured = (r: { code: number; out: string }) => {
    assert.equal(r.code, 0);
    return r.out.includes("\x1b[36mserve\x1b[0m");
  };
  assert.ok(coloured(await run(["--color", "always"], false, { NO_COLOR: "1" })));
  assert.ok(coloured(await run([], false, { FORCE_COLOR: "1" })));
  assert.ok(coloured(await run(["--color=auto"], false, { FORCE_COLOR: "3" })));
  assert.ok(!coloured(await run([], true, { FORCE_COLOR: "0" })));
  assert.ok(!coloured(await run(["--color", "never"], true, { FORCE_COLOR: "1" })));
  assert.ok(!coloured(await run(["--color", "auto"], true, { NO_COLOR: "1" })));
  // An empty FORCE_COLOR says nothing: the terminal decides.
  assert.ok(coloured(await run([], true, { FORCE_COLOR: "" })));
  const bad = await run(["--color", "sometimes"], true, {});
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--color takes always, never or auto, not "sometimes"/);
});

Deno.test("main() colours tph diff's marks only on a terminal, and never with NO_COLOR set", async () => {
  const { root } = projectWithRuns();
  const run = async (isTerminal: boolean, env: Record<string, string>) => {
    const out: string[] = [];
    const code = await main(["diff", "2", "1"], {
      out: (t) => out.push(t),
      err: () => {},
      cwd: root,
      isTerminal,
      env,
    });
    assert.equal(code, 1, "the two runs differ");
    return out.join("\n");
  };
  const coloured = await run(true, {});
  // deno-lint-ignore no-control-regex
  assert.match(coloured, /\x1b\[3[123]m[-+~]\x1b\[0m /);
  for (const plain of [await run(true, { NO_COLOR: "1" }), await run(false, {})]) {
    assert.ok(!plain.includes("\x1b["));
    assert.match(plain, /^[-+~] /m);
  }
});

Deno.test("main() exports a run to stdout with the program's controls escaped, terminal or not", async () => {
  const { root, cacheDir } = projectWithRuns();
  const file = join(cacheDir, `run_${FIXTURE_IDS[0]}.json`);
  const run = JSON.parse(readFileSync(file, "utf8"));
  // A value with a C1 control sequence introducer and a right-to-left override: JSON keeps both
  // raw inside its strings.
  run.trace[0].return_value = '"\u009b31m\u202eevil"';
  writeFileSync(file, JSON.stringify(run));
  const exported = async (isTerminal: boolean) => {
    const chunks: Uint8Array[] = [];
    const code = await main(["export", file], {
      out: () => {},
      err: (t) => assert.fail(t),
      outBytes: (b, n) => (chunks.push(b.slice(0, n)), true),
      cwd: root,
      isTerminal,
      env: {},
    });
    assert.equal(code, 0);
    return new TextDecoder().decode(Uint8Array.from(chunks.flatMap((c) => [...c])));
  };
  // As tph view --json prints: \u escapes, the same JSON once parsed.
  for (const terminal of [false, true]) {
    const shown = await exported(terminal);
    assert.ok(!/[\u009b\u202e]/.test(shown), shown);
    assert.ok(shown.includes("\\u009b31m\\u202eevil"), shown);
    assert.deepEqual(JSON.parse(shown), run, "the same JSON, escaped");
  }
});
