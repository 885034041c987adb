// Recursive fib: 242,785 calls for n = 25. Prints the best of a few timed rounds in ms.
function fib(n: number): number {
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
