// Recurses until the stack runs out; prints the deepest level reached.
let deepest = 0;
function down(n: number): number {
  deepest = n;
  return down(n + 1) + 1;
}
try {
  down(1);
} catch {
  console.log(JSON.stringify({ deepest }));
}
