// The tape's growth in-process, A/B: this worktree's tape.ts against another's (REF, default the
// session's reference worktree /work/wt/ref), alternating in one process. Rows are written as
// newRow writes a call of fib's or marked's (the dense columns; `prev`, `awaited`, `slot` left 0;
// `argsAt` in 1 row of 4 with MARKED=1); prints per run the ms to fill N rows and the ms spent in
// growing (Tape.more at a column's end).
//
//   bun bench/issue49_jsc/tape_grow.ts [rows=767082] [runs=5]
import { Tape as Mine } from "../../src/program/recorder/tape.ts";

const REF = process.env.REF ?? "/work/wt/ref";
const { Tape: Ref } = await import(REF + "/src/program/recorder/tape.ts");
const rows = Number(process.argv[2] ?? 767082);
const runs = Number(process.argv[3] ?? 5);
const marked = process.env.MARKED === "1";

function fill(T: typeof Mine): [number, number] {
  const tp = new T(0);
  tp.plan(50_000_000);
  let grow = 0;
  const t0 = performance.now();
  for (let i = 0; i < rows; i++) {
    const row = tp.rows++;
    if (row === tp.limit) {
      const g = performance.now();
      tp.more(row);
      grow += performance.now() - g;
    }
    tp.fn[row] = i & 7;
    tp.parent[row] = row - 1;
    tp.depth[row] = i & 15;
    tp.end[row] = -1;
    tp.state[row] = 1;
    tp.start[row] = i;
    tp.marks[row] = 1 << 29;
    if (marked && (i & 3) === 0) tp.putRest(row, 2, i, undefined);
  }
  return [performance.now() - t0, grow];
}

/** Bun's collector (this bench runs on Bun only). */
declare const Bun: { gc(force: boolean): void };

const out: Record<string, number[][]> = { ref: [], mine: [] };
for (let r = 0; r < runs; r++) {
  out.ref.push(fill(Ref));
  Bun.gc(true);
  out.mine.push(fill(Mine));
  Bun.gc(true);
}
const med = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
for (const k of ["ref", "mine"]) {
  const all = out[k];
  console.log(
    `${k.padEnd(5)} fill ${med(all.map((x) => x[0])).toFixed(1)} ms, growing ${
      med(all.map((x) => x[1])).toFixed(1)
    } ms (runs: ${all.map((x) => x[1].toFixed(1)).join(" ")})`,
  );
}
