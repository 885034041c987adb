// The value columns alone (tape.ts of a worktree), in a fresh process: `rows` rows written as the
// recorder's newRow/recordReturn write a0 and result, then read back as the writer does.
//   <runtime> typed_s34_probe.mjs <worktree> <int|mixed|objects> <rows>
// int: fib's (a small whole number in, one out); mixed: marked's shape (an object argument in a
// third of rows, kept strings' ids and booleans elsewhere); objects: every argument an object.
import process from "node:process";
const [wt, mix, n] = process.argv.slice(2);
const { Tape, setValueAt, valueAt } = await import(wt + "/src/program/recorder/tape.ts");
const N = Number(n);
const objs = [{ a: 1 }, [1, 2], { b: "x" }];
const ru = () => process.resourceUsage();
const r0 = ru(), c0 = process.cpuUsage();
const tape = new Tape(0, 4096);
tape.plan(N);
for (let row = 0; row < N; row++) {
  tape.rows = row + 1;
  if (row === tape.limit) tape.more(row);
  if (mix === "int") {
    setValueAt(tape.a0, row, row & 31);
    setValueAt(tape.result, row, row * 3);
  } else if (mix === "mixed") {
    setValueAt(tape.a0, row, row % 3 === 0 ? objs[row % 2] : -1 - (row & 4095));
    setValueAt(tape.result, row, row % 4 === 0 ? (row & 8) === 0 : -1 - (row & 2047));
  } else {
    setValueAt(tape.a0, row, objs[row % 3]);
    setValueAt(tape.result, row, objs[(row + 1) % 3]);
  }
}
const c1 = process.cpuUsage(), r1 = ru();
let sum = 0;
for (let row = 0; row < N; row++) {
  const v = valueAt(tape.a0, row), w = valueAt(tape.result, row);
  if (typeof v === "number") sum += v;
  if (typeof w === "number") sum += w;
}
const c2 = process.cpuUsage();
const ms = (a, b) => ((b.user + b.system - a.user - a.system) / 1000).toFixed(1);
console.log(
  `${mix} ${N}: write ${ms(c0, c1)} ms cpu, ${r1.minorPageFault - r0.minorPageFault} faults; ` +
    `read ${ms(c1, c2)} ms cpu; rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB (${sum})`,
);
