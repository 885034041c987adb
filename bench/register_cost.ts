// What the register entry costs a program that leaves tph installed, as production runs it:
// `node --import tph/register`, `bun --preload tph/register`, `deno run -A --preload
// npm:tph/register`, against the plain runtime in the same run (the package's lib/, built if
// missing, as users load it). Nothing records outside trace() blocks.
//   - start-up: `hello.ts` with the entry against without (requirement: ≤ +30 ms);
//   - a call of an instrumented function outside any block: fib(32), ~7M calls, with the entry
//     against without, per call (requirement: ≤ 5 ns);
//   - a real library instrumented whole (marked, its files included by the config) rendering a
//     large document ten times, outside any block: the renders' own time (requirement: within 5%
//     of plain), and the whole process for information (start-up and loading the instrumented
//     library included).
// Medians of alternating rounds, after one warm-up of each (Node's compile cache and tph's
// transform cache are then warm, as on a user's second run).
//
//   deno run -A bench/register_cost.ts [deno|bun|node ...] [--rounds N]

import process from "node:process";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { median, num, record, REPO, verdict } from "./_common.ts";

const BIN = {
  deno: join(REPO, "node_modules/.bin/deno"),
  bun: join(REPO, "node_modules/.bin/bun"),
  node: join(REPO, "node_modules/node24/bin/node"),
};
type Rt = keyof typeof BIN;
const argv = process.argv.slice(2);
const roundsAt = argv.indexOf("--rounds");
const ROUNDS = roundsAt >= 0 ? Number(argv[roundsAt + 1]) : 7;
const chosen = argv.filter((a, i) => a in BIN && argv[i - 1] !== "--rounds") as Rt[];
const RUNTIMES: Rt[] = chosen.length > 0 ? chosen : ["deno", "bun", "node"];

// The package's compiled entry, as `tph/register` resolves in an installed package.
const LIB_REGISTER = join(REPO, "lib/register.js");
const LIB_REGISTER_NODE = join(REPO, "lib/register_node.js");
if (!existsSync(LIB_REGISTER) || !existsSync(LIB_REGISTER_NODE)) {
  const built = spawnSync(BIN.node, [join(REPO, "npm/build.ts")], {
    cwd: REPO,
    stdio: "inherit",
    timeout: 300_000,
  });
  if (built.status !== 0) throw new Error("npm/build.ts failed");
}

const work = mkdtempSync(join(tmpdir(), "tph-bench-register-"));
process.on("exit", () => rmSync(work, { recursive: true, force: true }));
writeFileSync(join(work, "package.json"), '{ "type": "module" }\n');
writeFileSync(join(work, "hello.ts"), 'console.log("hello");\n');
// The same function in a block: it must record (else the figure above would measure nothing).
writeFileSync(
  join(work, "fib_check.ts"),
  `import { trace } from ${JSON.stringify(join(REPO, "lib/mod.js"))};
function fib(n: number): number { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
console.log(JSON.stringify({ calls: trace.run(() => fib(5)).callCount }));
`,
);
writeFileSync(
  join(work, "fib.ts"),
  `function fib(n: number): number { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
const t0 = performance.now();
const v = fib(32);
console.log(JSON.stringify({ v, ms: performance.now() - t0 }));
`,
);
// marked, included whole: the config says so (TPH_CONFIG), the program runs in the checkout,
// where marked is installed.
const MARKED_CONFIG = join(work, "marked.toml");
writeFileSync(MARKED_CONFIG, 'include = ["node_modules/marked/**"]\n');

function command(rt: Rt, registered: boolean, file: string): string[] {
  // What `tph/register` resolves to on each (the package's exports).
  const entry = registered
    ? rt === "node" ? ["--import", LIB_REGISTER_NODE] : ["--preload", LIB_REGISTER]
    : [];
  return rt === "deno" ? [BIN.deno, "run", "-A", ...entry, file] : [BIN[rt], ...entry, file];
}

/** Wall time of one process in ms, and what it printed. */
function once(argv: string[], cwd: string, env: Record<string, string> = {}) {
  const t0 = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), {
    cwd,
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 300_000,
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.join(" ")} failed (${r.status}): ${r.stderr}`);
  if (r.stderr !== "") throw new Error(`${argv.join(" ")} wrote on stderr: ${r.stderr}`);
  return { ms, out: r.stdout };
}

/** Medians of alternating rounds of plain and registered, after a warm-up of each. */
function pair(rt: Rt, file: string, cwd: string, env: Record<string, string> = {}) {
  const plain: number[] = [], reg: number[] = [], plainIn: number[] = [], regIn: number[] = [];
  const inner = (out: string) => {
    try {
      return JSON.parse(out.trim().split("\n").at(-1)!).ms as number;
    } catch {
      return NaN;
    }
  };
  once(command(rt, false, file), cwd, env);
  once(command(rt, true, file), cwd, env);
  for (let i = 0; i < ROUNDS; i++) {
    const p = once(command(rt, false, file), cwd, env);
    const r = once(command(rt, true, file), cwd, env);
    plain.push(p.ms), reg.push(r.ms), plainIn.push(inner(p.out)), regIn.push(inner(r.out));
  }
  return {
    plain: median(plain),
    reg: median(reg),
    plainIn: median(plainIn),
    regIn: median(regIn),
  };
}

let failed = 0;
const FIB_CALLS = 7_049_155; // fib(32) makes this many calls.
for (const rt of RUNTIMES) {
  const start = pair(rt, "hello.ts", work);
  const extra = start.reg - start.plain;
  const startOk = extra <= 30;
  console.log(
    `${rt.padEnd(5)} start-up: hello.ts ${num(start.plain, 1)} ms plain, ${
      num(start.reg, 1)
    } ms with the register entry: +${num(extra, 1)} ms ${verdict(startOk, "≤ +30 ms")}`,
  );
  record({
    bench: "register_cost",
    metric: "start-up extra",
    value: extra,
    unit: "ms",
    req: "≤ 30",
    pass: startOk,
    runtime: rt,
  });

  const fibCalls = JSON.parse(once(command(rt, true, "fib_check.ts"), work).out).calls;
  if (fibCalls !== 15) throw new Error(`fib is not instrumented under the register entry`);
  const fib = pair(rt, "fib.ts", work);
  const perCall = (fib.regIn - fib.plainIn) * 1e6 / FIB_CALLS;
  const callOk = perCall <= 5;
  console.log(
    `${rt.padEnd(5)} outside blocks: fib(32) ${num(fib.plainIn, 1)} ms plain, ${
      num(fib.regIn, 1)
    } ms instrumented: ${num(perCall, 2)} ns a call ${verdict(callOk, "≤ 5 ns")}`,
  );
  record({
    bench: "register_cost",
    metric: "call outside blocks",
    value: perCall,
    unit: "ns",
    req: "≤ 5",
    pass: callOk,
    runtime: rt,
  });

  const check = once(command(rt, true, join(REPO, "bench/programs/marked_check.mjs")), REPO, {
    TPH_CONFIG: MARKED_CONFIG,
    TPH_DISABLE: "",
  });
  const calls = JSON.parse(check.out).calls as number;
  if (!(calls > 10)) {
    throw new Error(`marked is not instrumented under the register entry (${calls})`);
  }
  const marked = pair(rt, join(REPO, "bench/programs/marked_timed.mjs"), REPO, {
    TPH_CONFIG: MARKED_CONFIG,
  });
  const ratio = marked.regIn / marked.plainIn;
  const libOk = ratio <= 1.05;
  console.log(
    `${rt.padEnd(5)} marked instrumented whole, outside blocks: renders ${
      num(marked.plainIn, 0)
    } ms plain, ${num(marked.regIn, 0)} ms: ×${num(ratio, 3)} ${verdict(libOk, "≤ ×1.05")}; ` +
      `the whole process ${num(marked.plain, 0)} → ${num(marked.reg, 0)} ms (×${
        num(marked.reg / marked.plain, 2)
      })`,
  );
  record({
    bench: "register_cost",
    metric: "marked end to end",
    value: ratio,
    unit: "×",
    req: "≤ 1.05",
    pass: libOk,
    runtime: rt,
  });
  if (!startOk || !callOk || !libOk) failed++;
}
process.exitCode = failed > 0 ? 1 : 0;
