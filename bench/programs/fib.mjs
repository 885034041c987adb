// Recursive fib: 242,785 calls for n = 25. Prints the best of a few timed rounds in ms.
// fib.ts's program in JavaScript, for the benchmarks that compare against plain runs: plain Node
// strips a .ts file's types with a library it loads first (~140 ms on this machine), which tph's
// loader does not, so a .ts program made every tph row on Node look cheaper than it is.
function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
const n = Number(process.argv[2] ?? 25);
const rounds = Number(process.argv[3] ?? 5);
let best = Infinity;
let result = 0;
for (let i = 0; i < rounds; i++) {
  const t0 = performance.now();
  result = fib(n);
  best = Math.min(best, performance.now() - t0);
}
console.log(JSON.stringify({ result, ms: best }));
