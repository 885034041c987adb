// A function called N times (default 1,000,000) with a new string each time, every one distinct:
// the worst case for a recorder that keeps each string's text once (issue 49, strings as texts).
function label(s) {
  return s.length;
}
const n = Number(process.argv[2] ?? 1_000_000);
let total = 0;
for (let i = 0; i < n; i++) total += label("item-" + i + "-" + (i * 7919 % 1000003));
console.log(total);
