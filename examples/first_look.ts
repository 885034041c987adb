// The README's first example: `tph run --tree examples/first_look.ts` (a test runs it and checks
// that the README shows what tph prints).
import { setTimeout as sleep } from "node:timers/promises";

async function fetchUser(id: number) {
  await sleep(5); // the database
  if (id <= 0) throw new RangeError(`no user ${id}`);
  return { id, name: "Alice" };
}

function total(prices: number[]) {
  return prices.reduce((sum, p) => sum + p, 0);
}

async function handleRequest(userId: number) {
  const user = await fetchUser(userId);
  return { user: user.name, total: total([3, 4]) };
}

console.log(await handleRequest(42));
await handleRequest(0).catch((e) => console.log("refused:", e.message));
