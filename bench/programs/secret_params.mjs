// Issue 49: calls of a function with a parameter named like a secret (marked's `token`), 300,000
// of them nested under a traced call: each argument so named is stored as "[redacted]".
//   tph run --max-calls 5000000 bench/programs/secret_params.mjs
function render(token, depth) {
  return token.length + depth;
}
function walk(items) {
  let n = 0;
  for (let i = 0; i < items.length; i++) n += render(items[i], 1);
  return n;
}
const items = Array.from({ length: 1000 }, (_, i) => "item " + i);
let total = 0;
for (let r = 0; r < 300; r++) total += walk(items);
console.log(total);
