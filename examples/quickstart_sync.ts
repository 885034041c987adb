// tracepatch's quick start, in TypeScript. Run it with `tph run examples/quickstart_sync.ts`, or
// with its runtime and tph's register entry (`node --import ./register.ts
// examples/quickstart_sync.ts`; `tph/register` where tph is installed): calls are recorded only in
// code that tph instruments. The block's own trace takes the calls made inside it, prints their
// tree and is stored as a run of its own; under `tph run`, the whole program's run then holds no
// call (nested traces: the innermost records, see the README's "The library").
import { trace } from "../mod.ts";

function fetchUser(userId: number) {
  return { id: userId, name: "Alice" };
}

function handleRequest() {
  const user = fetchUser(42);
  return user;
}

{
  using t = trace();
  handleRequest();
  console.log(t.tree());
}
