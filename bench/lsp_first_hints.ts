// Issue 50's benchmark: how long `tph lsp` takes from `initialized` to the first inlay hints of a
// file on a large stored run (target: 200 ms on a 3M-call run), and the server's peak RSS (target:
// bounded, not growing with the run). The run: fib(30) recorded every call (2.7M calls) with tph
// on Node, once; then the server on each runtime asked, in rounds: the run just stored (raw, as
// `tph run` leaves it: made a run file by the server), the first open of a run file (the digest
// made by a scan), and reopened (the digest kept beside the run read back).
//
//   deno run -A bench/lsp_first_hints.ts [node|deno|bun ...] [--n 30] [--times 1] [--rounds 3]
//
// `--times T` has the program compute fib(n) T times (fib(27) 5 times: 3,177,385 calls).

import { spawn, spawnSync } from "node:child_process";
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { frame, MessageReader } from "../src/cli/lsp/protocol.ts";
import { digestRun } from "../src/cli/lsp/run_digest.ts";
import { setRawConverter } from "../src/run_file/decode.ts";
import { rawConverter } from "../src/program/read_runs.ts";
import { REPO } from "./_common.ts";

setRawConverter(await rawConverter());
const words = Deno.args;
const flag = (name: string, d: number) => {
  const i = words.indexOf(name);
  return i >= 0 ? Number(words[i + 1]) : d;
};
const N = flag("--n", 30), TIMES = flag("--times", 1), ROUNDS = flag("--rounds", 3);
const RUNTIMES = ["node", "deno", "bun"].filter((r) => words.includes(r));
if (RUNTIMES.length === 0) RUNTIMES.push("node", "deno", "bun");
const BIN = {
  node: [join(REPO, "node_modules/node24/bin/node"), join(REPO, "lib/cli.js")],
  deno: [join(REPO, "node_modules/.bin/deno"), "run", "-A", join(REPO, "cli.ts")],
  bun: [join(REPO, "node_modules/.bin/bun"), join(REPO, "cli.ts")],
} as Record<string, string[]>;

const dir = mkdtempSync(join(tmpdir(), "tph-bench-lsp-"));
const cache = join(dir, "cache");
const program = join(dir, "fib.mjs");
copyFileSync(join(REPO, "bench/programs/fib.mjs"), program);
const made = spawnSync(
  BIN.node[0],
  [
    BIN.node[1],
    "run",
    "--cache-dir",
    cache,
    "--max-calls",
    "50000000",
    "--max-depth",
    "100000",
    program,
    String(N),
    String(TIMES),
  ],
  { cwd: dir, encoding: "utf8", timeout: 600_000 },
);
if (made.status !== 0) throw new Error(`tph run failed: ${made.stderr}`);
// The run as `tph run` left it (raw: made a run file by its first reader), for the rounds that
// open a run just stored; then made a run file, once, for the others.
const runName = readdirSync(cache).find((n) => n.endsWith(".tph"))!;
const rawBytes = readFileSync(join(cache, runName));
const makeRunFile = () =>
  spawnSync(BIN.node[0], [BIN.node[1], "view", "--cache-dir", cache, "last"], { cwd: dir });
makeRunFile();
console.log(`lsp_first_hints: ${made.stderr.trim().split("\n").pop()}`);

/** One server: ms from `initialized` to the hints' response, and its peak RSS (MB). */
async function once(rt: string): Promise<{ ms: number; rss: number; hints: number }> {
  const child = spawn(BIN[rt][0], [...BIN[rt].slice(1), "lsp", "--cache-dir", cache], {
    cwd: dir,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const reader = new MessageReader();
  const waiting = new Map<number, (v: unknown) => void>();
  child.stdout.on("data", (chunk: Uint8Array) => {
    for (const r of reader.push(chunk)) {
      if ("message" in r && typeof r.message.id === "number") {
        waiting.get(r.message.id)?.(r.message.result);
      }
    }
  });
  const request = (id: number, method: string, params: unknown) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${method}: no answer in 120 s`)), 120_000);
      waiting.set(id, (v) => (clearTimeout(timer), resolve(v)));
      child.stdin.write(frame({ id, method, params }));
    });
  await request(1, "initialize", { processId: null, rootUri: null, capabilities: {} });
  const uri = pathToFileURL(program).href;
  const t0 = performance.now();
  child.stdin.write(frame({ method: "initialized", params: {} }));
  child.stdin.write(frame({
    method: "textDocument/didOpen",
    params: {
      textDocument: {
        uri,
        languageId: "javascript",
        version: 1,
        text: readFileSync(program, "utf8"),
      },
    },
  }));
  const hints = await request(2, "textDocument/inlayHint", {
    textDocument: { uri },
    range: { start: { line: 0, character: 0 }, end: { line: 100, character: 0 } },
  }) as unknown[];
  const ms = performance.now() - t0;
  const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
  const rss = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  await request(3, "shutdown", null);
  child.stdin.write(frame({ method: "exit" }));
  child.stdin.end();
  await new Promise((r) => child.on("close", r));
  return { ms, rss, hints: hints.length };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
// The digest a server keeps beside the run (`.lsp.json`): removed before a "first open" round.
const dropKept = () => {
  for (const name of readdirSync(cache)) {
    if (name.endsWith(".lsp.json")) rmSync(join(cache, name));
  }
};
try {
  for (const rt of RUNTIMES) {
    for (const kind of ["just stored", "first open", "reopened"]) {
      // A server that ends at once leaves a raw run raw, and keeps no digest: it makes them
      // once the client is quiet (as a server that stays does).
      if (kind === "first open") makeRunFile();
      if (kind === "reopened") digestRun(join(cache, runName)).file.close();
      const got = [];
      for (let i = 0; i < ROUNDS; i++) {
        if (kind !== "reopened") dropKept();
        if (kind === "just stored") writeFileSync(join(cache, runName), rawBytes);
        got.push(await once(rt));
      }
      const ms = median(got.map((g) => g.ms)), rss = median(got.map((g) => g.rss));
      const met = ms <= 200 ? "met" : "MISSED";
      console.log(
        `${rt.padEnd(5)} ${kind.padEnd(11)} first hints ${
          ms.toFixed(0)
        } ms (target ≤ 200: ${met}),` +
          ` server peak RSS ${rss.toFixed(0)} MB, ${got[0].hints} hint(s)`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
