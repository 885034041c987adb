// Deep async chains: each level awaits, then calls a sync function (the recorder must find the
// resumed call's depth).
function work(n) {
  return n * 2;
}
async function level(n) {
  await null;
  work(n);
  if (n === 0) return 0;
  return 1 + await level(n - 1);
}
let s = 0;
for (let i = 0; i < 1500; i++) s += await level(100);
console.log(s);
