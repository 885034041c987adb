// Recursive fib(n), `rounds` times: rounds × (2·F(n+1) − 1) calls (n = 17: 5,167; 28: 1,028,457;
// 33: 11,405,773). Its last line is `{"calls":…,"end_ms":…}`: end_ms is the wall clock (ms since
// the epoch) when its work ended, from which bench/run_scale.ts times the save of the run.
function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
const n = Number(process.argv[2] ?? 25);
const rounds = Number(process.argv[3] ?? 1);
let result = 0;
for (let i = 0; i < rounds; i++) result = fib(n);
// F(n + 1) at top level, which is not traced (a call of fib would be).
let a = 0, b = 1;
for (let i = 0; i < n + 1; i++) [a, b] = [b, a + b];
const calls = rounds * (2 * a - 1);
console.log(JSON.stringify({ result, calls, end_ms: Date.now() }));
