// tracepatch's async quick start, in TypeScript. Run it with
// `tph run examples/quickstart_async.ts`, or with its runtime and tph's register entry
// (`bun --preload ./register.ts examples/quickstart_async.ts`; `tph/register` where tph is
// installed): calls are recorded only in code that tph instruments.
import { setTimeout as sleep } from "node:timers/promises";
import { trace } from "../mod.ts";

async function fetchUser(userId: number) {
  await sleep(10); // the database query
  return { id: userId, name: "Alice" };
}

async function handleRequest() {
  const user = await fetchUser(42);
  return user;
}

async function main() {
  await using t = trace();
  await handleRequest();
  console.log(t.tree());
}

await main();
