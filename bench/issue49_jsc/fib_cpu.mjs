// fib(n) ROUNDS times; prints the process's CPU ms (user + system) of each round to stderr: less
// moved by other processes on a loaded machine than wall time (their threads still share caches).
function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
const n = Number(process.argv[2] ?? 27);
const rounds = Number(process.env.ROUNDS ?? 3);
const cpu = [];
let r = 0;
for (let i = 0; i < rounds; i++) {
  const c0 = process.cpuUsage();
  r = fib(n);
  const d = process.cpuUsage(c0);
  cpu.push((d.user + d.system) / 1000);
}
console.log(r);
console.error("CPU " + cpu.map((t) => t.toFixed(1)).join(" "));
