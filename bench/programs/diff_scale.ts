// Recursive fib(n) whose calls carry a tag, "same": with a second argument K, the K-th call that
// makes calls passes "changed" to its first child — two runs then differ in one call deep inside.
// fib(28): 1,028,457 calls.
import process from "node:process";

const n = Number(process.argv[2] ?? 28);
const changedAt = Number(process.argv[3] ?? -1);
let inner = 0;
function fib(k: number, tag: string): number {
  if (k < 2) return k;
  const here = ++inner;
  return fib(k - 1, here === changedAt ? "changed" : "same") + fib(k - 2, "same") +
    (tag === "" ? 1 : 0);
}
console.log(fib(n, "same"));
