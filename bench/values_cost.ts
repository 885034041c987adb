// Issue 49 (vals): what describing the objects real libraries pass and return costs per value
// (reprKept, as the first calls of a function have them described), in one process: babel's AST
// nodes and tokens, yaml's document nodes, zod's schemas and results.
//
//   node_modules/.bin/deno run -A bench/values_cost.ts [--rounds N] [--against <worktree>]
//     [--values N (a measurement, default 40,000: 200,000 on Deno, whose CPU clock ticks 10 ms)]
//   node_modules/.bin/bun bench/values_cost.ts [...]
//   node_modules/node24/bin/node bench/values_cost.ts [...]
//
// With --against, that worktree's repr.ts is loaded beside this one's and the two alternate in
// each round (the same process, the same objects); medians per tree.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadavg } from "node:os";
import process from "node:process";
import { parse } from "@babel/parser";
import YAML from "yaml";
import { z } from "zod";

const args = process.argv.slice(2);
const at = args.indexOf("--rounds");
const ROUNDS = at >= 0 ? Number(args[at + 1]) : 7;
const vi = args.indexOf("--values");
/** Values described a measurement (the objects repeated): the CPU clock's tick is coarse on Deno. */
const PER_MEASURE = vi >= 0 ? Number(args[vi + 1]) : 40000;
const ag = args.indexOf("--against");
const HERE = join(import.meta.dirname!, "..");
const trees = ag >= 0 ? [args[ag + 1], HERE] : [HERE];
type Kept = (v: unknown, max: number, red: unknown) => string;
const impls: { tree: string; reprKept: Kept; red: unknown }[] = [];
for (const tree of trees) {
  const repr = await import(join(tree, "src/program/recorder/repr.ts"));
  const redact = await import(join(tree, "src/program/recorder/redact.ts"));
  impls.push({ tree, reprKept: repr.reprKept, red: new redact.Redaction({}) });
}

function collect(root: unknown, max: number): object[] {
  const out: object[] = [];
  const seen = new Set<object>();
  const walk = (v: unknown): void => {
    if (typeof v !== "object" || v === null || seen.has(v) || out.length >= max) return;
    seen.add(v);
    out.push(v);
    for (const x of Array.isArray(v) ? v : Object.values(v)) walk(x);
  };
  walk(root);
  return out;
}

const dir = join(import.meta.dirname!, "../src/cli/diff");
const code = readdirSync(dir).filter((n) => n.endsWith(".ts")).sort()
  .map((n) => readFileSync(join(dir, n), "utf8")).join("\n");
const babel = collect(
  parse(code, { sourceType: "module", plugins: ["typescript"], tokens: true }),
  20000,
);
const items = [];
for (let i = 0; i < 300; i++) {
  items.push({ id: i, name: `item ${i}`, tags: ["a", `t${i % 7}`], meta: { active: i % 2 === 0 } });
}
const yaml = collect(YAML.parseDocument(YAML.stringify({ items })), 20000);
const User = z.object({
  id: z.number().int(),
  email: z.string().email(),
  roles: z.array(z.enum(["admin", "user"])),
});
const zres = [];
for (let i = 0; i < 200; i++) {
  zres.push(User.safeParse({ id: i, email: i % 2 ? "x" : "a@b.co", roles: ["user"] }));
}
const zod = collect([User, ...zres], 20000);

// This thread's CPU time where the runtime has it (Node), else the process's, ms: the machine's
// load moves wall times by far more than the difference measured.
// deno-lint-ignore no-explicit-any
const threadCpu = (process as any).threadCpuUsage as
  | (() => { user: number; system: number })
  | undefined;
const cpuNow = (): number => {
  const u = threadCpu !== undefined ? threadCpu.call(process) : process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const sets: [string, object[]][] = [["babel", babel], ["yaml", yaml], ["zod", zod]];
const results: Record<string, number[]> = {};
const texts: Record<string, string> = {};
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, values] of sets) {
    for (const { tree, reprKept, red } of r % 2 === 0 ? impls : impls.slice().reverse()) {
      let all = "";
      const t0 = cpuNow();
      const reps = Math.ceil(PER_MEASURE / values.length);
      for (let k = 0; k < reps; k++) {
        for (let i = 0; i < values.length; i++) {
          const s = reprKept(values[i], 120, red);
          if (k === 0 && i % 64 === 0) all += s;
        }
      }
      const ns = (cpuNow() - t0) * 1e6 / (values.length * reps);
      (results[tree + " " + name] ??= []).push(ns);
      if (r === 0) texts[tree + " " + name] = all;
    }
  }
}
const median = (a: number[]) => a.slice().sort((x, y) => x - y)[a.length >> 1];
for (const [name, values] of sets) {
  for (const { tree } of impls) {
    const k = tree + " " + name;
    const same = texts[k] === texts[impls[0].tree + " " + name] ? "" : " (TEXTS DIFFER)";
    console.log(
      `${name} ${tree}: ${values.length} objects, median ${
        median(results[k]).toFixed(0)
      } ns a value${same} (rounds ${results[k].map((x) => x.toFixed(0)).join(" ")})`,
    );
  }
}
console.log(
  `${threadCpu !== undefined ? "thread" : "process"} CPU; load ${
    loadavg().map((x) => x.toFixed(2)).join(" ")
  }`,
);
