// Two value chunks (a0 and result) of n rows made as tph's valueChunk makes them, in a fresh process:
// minor page faults and CPU µs. argv[2] = n.
import process from "node:process";
const n = Number(process.argv[2]);
const fill = Array.prototype.fill;
const keep = [];
// warm the function on a tiny chunk first (tph's valueChunk is warm by then: the first chunk)
keep.push(fill.call(new Array(64), undefined));
const r0 = process.resourceUsage(), c0 = process.cpuUsage();
keep.push(fill.call(new Array(n), undefined));
keep.push(fill.call(new Array(n), undefined));
const c1 = process.cpuUsage(), r1 = process.resourceUsage();
// written as rows come: every row's slot set once (the program's objects), as in a default run
for (const k of keep) for (let i = 0; i < Math.min(k.length, 100000 - 65536); i++) k[i] = i;
const r2 = process.resourceUsage();
console.log(
  JSON.stringify({
    n,
    faults: r1.minorPageFault - r0.minorPageFault,
    us: (c1.user + c1.system) - (c0.user + c0.system),
    writeFaults: r2.minorPageFault - r1.minorPageFault,
  }),
);
