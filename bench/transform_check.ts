// Issue 49: what the transform cache's check of an entry costs when a program starts (cold, in a
// fresh process, as each run meets it): entryBody() on an entry of marked's size, its body hashed
// by sha256 (`s`, Node's since the night of 2026-11-26: the createHash the key loads anyway) or by
// contentHash (`c`: FNV-1a in JavaScript on Node and Deno, wyhash on Bun). The entry is written by
// another process (its hash would warm the check's loop); each check runs once in a process of its
// own, alternating; medians, ms. Since the Node manifest (night of 2026-11-26) a re-run has its
// key without hashing: the check takes the key from the entry's header, and `s` includes loading
// node:crypto, `z` (Node: node:zlib's crc32, for a body of 64K characters or more) node:zlib.
//
//   deno run -A bench/transform_check.ts [--rounds N]      (runs node, deno and bun itself)
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadavg } from "node:os";
import process from "node:process";

const HERE = new URL("..", import.meta.url).pathname;
const i = process.argv.indexOf("--rounds");
const ROUNDS = i < 0 ? 7 : Number(process.argv[i + 1]);

if (process.argv[2] === "make" || process.argv[2] === "check") {
  // "make" writes the entry (its hash run here, not in the process that checks it, which would
  // warm the check's loop first); "check" reads it and checks it once.
  const { entryText, entryBody, cacheKey } = await import("../src/program/loader/transform.ts");
  const kind = process.argv[3] as "s" | "c" | "z", file = process.argv[4];
  const src = readFileSync(`${HERE}node_modules/marked/lib/marked.esm.js`, "utf8");
  if (process.argv[2] === "make") {
    const key = cacheKey(src, { filename: "/m.js", module: "m" });
    const body = src + src.replace(/a/g, "b"); // about what marked's instrumented entry holds
    writeFileSync(file, entryText(key, src, body, kind));
  } else {
    const text = readFileSync(file, "utf8");
    const key = text.slice(18, 82); // as the manifest gives it: no hash
    const t2 = performance.now();
    const ok = typeof entryBody(text, key, src) === "string";
    const t3 = performance.now();
    console.log(JSON.stringify({ check: t3 - t2, ok }));
  }
} else {
  const runs: Record<string, string[]> = {
    node: [`${HERE}node_modules/node24/bin/node`],
    deno: [`${HERE}node_modules/.bin/deno`, "run", "-A"],
    bun: [`${HERE}node_modules/.bin/bun`],
  };
  const out: Record<string, number[]> = {};
  const KINDS: Record<string, string[]> = {
    node: ["c", "s", "z"],
    deno: ["c", "s"],
    bun: ["c", "s"],
  };
  const dir = mkdtempSync(join(tmpdir(), "tph-transform-check-"));
  const run = (cmd: string[], args: string[]) =>
    spawnSync(cmd[0], [...cmd.slice(1), import.meta.filename!, ...args], {
      encoding: "utf8",
      timeout: 60_000,
    });
  try {
    for (const [rt, cmd] of Object.entries(runs)) {
      for (const kind of KINDS[rt]) run(cmd, ["make", kind, join(dir, `${rt}-${kind}.js`)]);
    }
    for (let r = 0; r < ROUNDS; r++) {
      for (const [rt, cmd] of Object.entries(runs)) {
        for (const kind of KINDS[rt]) {
          const p = run(cmd, ["check", kind, join(dir, `${rt}-${kind}.js`)]);
          const line = p.stdout.trim().split("\n").pop() ?? "";
          try {
            const { check, ok } = JSON.parse(line);
            if (!ok) throw new Error("the entry did not check");
            (out[`${rt} ${kind}`] ??= []).push(check);
          } catch {
            console.log(`${rt} ${kind}: failed ${p.stderr.slice(-300)}`);
          }
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
  console.log(
    `transform_check: ${ROUNDS} rounds, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`,
  );
  for (const [k, a] of Object.entries(out)) {
    console.log(`${k.padEnd(7)} check ${median(a).toFixed(2)} ms`);
  }
}
