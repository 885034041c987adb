// The instrumenter's correctness proof, driven by data: every program in
// tests/fixtures/instrument/ runs plainly and traced on Deno, Bun, Node 24 and Node 22, and
//
// 1. both runs print the same stdout, exit with the same code, and print the same stderr, exactly:
//    every frame's line and column, a cause's too, and the excerpt and caret of an uncaught error
//    (Deno reads the source map tph fits to the inserted text; on Bun, tph maps the positions Bun
//    reports in the rewritten text back, src/program/loader/bun_stacks.ts);
// 2. the recorded call tree equals the hand-written `<case>.calls` file (or `<case>.<runtime>.calls`
//    where the runtimes legitimately differ; single lines may be marked `[deno] `/`[bun] `/`[node] `/`[node22] `,
//    or `[deno,node] ` for several), in
//    the format of tests/program/instrument/_calls.ts.
//
// The cases are found by listing the folder: every program `<case>.<ext>` there is a case, and
// the header of its `.calls` file holds its options (limits, expected exit code and ending,
// limit bookkeeping, externals, a known bug with its reason; see tests/program/instrument/_calls.ts). A
// program without expected calls for a runtime, or a `.calls` file without its program, fails the
// last test here. A known bug, in src/ or in a runtime in a way tph would have to work around, was
// reported with a reproduction; its case shows what must hold once it is fixed.
//
// The fixtures print what they observe (results, `this`, `new.target`, errors and the line they
// were thrown at), so plain-vs-traced equality covers behaviour as well as line preservation.
// Helpers in tests/fixtures/instrument/_util/ are not traced (SPEC_EXCLUDE), so printing the line
// of an error does not add calls to the expected trees.

import assert from "node:assert/strict";
import process from "node:process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { REPO, runPlain, type RuntimeName, runTraced } from "../../_harness.ts";
import { type CaseOptions, formatCalls, parseCallsFile, parseCallsHeader } from "./_calls.ts";

/** Folder of the fixture programs and their expected calls. */
const FIXTURES = join(REPO, "tests/fixtures/instrument");
/** Reporting helpers of the fixtures: never traced. */
const SPEC_EXCLUDE = ["**/instrument/_util/**"];
const RUNTIMES: RuntimeName[] = ["deno", "bun", "node", "node22"];
/** A runtime's family: Node 22 reads what is written for Node (`[node]`, `<case>.node.calls`). */
const FAMILY: Partial<Record<RuntimeName, RuntimeName>> = { node22: "node" };
/** The names a line of a `.calls` file may be marked with to hold for a runtime. */
const namesOf = (rt: RuntimeName): RuntimeName[] => FAMILY[rt] ? [rt, FAMILY[rt]] : [rt];
/**
 * Cases that show a known bug (`# known_bug:` in their header) are skipped unless
 * TPH_KNOWN_BUGS=1, as in tests/api: they state what must hold once the bug is fixed.
 */
const SKIP_KNOWN_BUGS = process.env.TPH_KNOWN_BUGS !== "1";

/** A fixture program: its file, and the `.calls` file each runtime reads. */
interface Case {
  name: string;
  file: string;
  calls: Partial<Record<RuntimeName, string>>;
}

/**
 * The cases in the fixtures folder, by name, and what is wrong with the folder: a program without
 * expected calls for a runtime, a `.calls` file without its program or read by no runtime, two
 * programs of one name.
 */
function listCases(): { cases: Case[]; problems: string[] } {
  const files = readdirSync(FIXTURES).filter((f) => statSync(join(FIXTURES, f)).isFile()).sort();
  const problems: string[] = [];
  const byName = new Map<string, Case>();
  for (const file of files.filter((f) => /\.(?:[cm]?[jt]s|[jt]sx)$/.test(f))) {
    const name = file.replace(/\.[^.]+$/, "");
    const other = byName.get(name);
    if (other !== undefined) problems.push(`${file} and ${other.file}: two programs named ${name}`);
    else byName.set(name, { name, file, calls: {} });
  }
  for (const file of files.filter((f) => f.endsWith(".calls"))) {
    const m = /^(.+?)(?:\.(deno|bun|node|node22))?\.calls$/.exec(file)!;
    const c = byName.get(m[1]);
    if (c === undefined) {
      problems.push(`${file}: no program ${m[1]}.<ext> beside it`);
      continue;
    }
    const rt = m[2] as RuntimeName | undefined;
    // The runtime's own file replaces its family's, which replaces the common one (header
    // included).
    const readers = rt === undefined
      ? RUNTIMES
      : RUNTIMES.filter((r) => r === rt || FAMILY[r] === rt);
    for (const r of readers) {
      const own = c.calls[r];
      if (own === undefined || rt === r || (rt !== undefined && !own.endsWith(`.${r}.calls`))) {
        c.calls[r] = file;
      }
    }
  }
  for (const c of byName.values()) {
    const common = `${c.name}.calls`;
    if (files.includes(common) && !RUNTIMES.some((rt) => c.calls[rt] === common)) {
      problems.push(`${common}: read by no runtime (each has its own ${c.name}.<runtime>.calls)`);
    }
    for (const rt of RUNTIMES) {
      if (c.calls[rt] === undefined) {
        problems.push(
          `${c.file}: no expected calls for ${rt} (${c.name}.calls or ${c.name}.${rt}.calls)`,
        );
      }
    }
  }
  return { cases: [...byName.values()], problems };
}

const { cases: CASES, problems: PROBLEMS } = listCases();

for (const c of CASES) {
  for (const rt of RUNTIMES) {
    const callsFile = c.calls[rt];
    if (callsFile === undefined) continue;
    const text = readFileSync(join(FIXTURES, callsFile), "utf8");
    let options: CaseOptions | Error;
    try {
      options = parseCallsHeader(text, namesOf(rt), RUNTIMES);
    } catch (e) {
      options = new Error(`${callsFile}: ${(e as Error).message}`);
    }
    const bug = options instanceof Error ? undefined : options.knownBug;
    Deno.test({
      name: `spec: ${c.name} (${rt})`,
      ignore: bug !== undefined && SKIP_KNOWN_BUGS,
      fn() {
        if (options instanceof Error) throw options;
        const o = options;
        const file = join(FIXTURES, c.file);
        const plain = runPlain(rt, file, { cwd: FIXTURES });
        const traced = runTraced(rt, file, {
          cwd: FIXTURES,
          limits: o.limits,
          exclude: SPEC_EXCLUDE,
        });
        const note = bug === undefined ? "" : ` (known bug: ${bug})`;
        assert.equal(plain.code, o.exit, `plain run exited ${plain.code}:\n${plain.stderr}`);
        if (o.exit === 0) {
          assert.notEqual(plain.stdout, "", "the fixture prints nothing");
          assert.equal(plain.stderr, "", "plain stderr");
        }
        assert.equal(traced.stdout, plain.stdout, "stdout differs" + note);
        assert.equal(
          traced.code,
          plain.code,
          `traced run exited ${traced.code}${note}:\n${traced.stderr}`,
        );
        assert.equal(traced.stderr, plain.stderr, "stderr differs" + note);
        assert.ok(traced.trace !== null, "no trace written" + note);
        const t = traced.trace;
        assert.equal(t.ending.ended, o.ended, "ending" + note);
        assert.equal(t.was_limited, o.limited !== null, "was_limited");
        assert.equal(t.limit_reason, o.limited?.reason ?? null, "limit_reason");
        assert.equal(t.dropped_calls, o.limited?.dropped ?? 0, "dropped_calls");
        if (o.limited?.atRoot !== undefined) {
          assert.equal(t.dropped_at_root, o.limited.atRoot, "dropped_at_root");
        }
        assert.equal(
          formatCalls(t.trace, { externals: o.externals }),
          parseCallsFile(text, namesOf(rt)),
          "recorded calls" + note,
        );
      },
    });
  }
}

Deno.test("spec: every fixture program has its expected calls, and every .calls file its program", () => {
  assert.deepEqual(PROBLEMS, []);
  assert.ok(CASES.length > 0, `no cases in ${FIXTURES}`);
});
