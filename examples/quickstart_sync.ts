// tracepatch's quick start, in TypeScript. Run it with `tph run examples/quickstart_sync.ts`:
// calls are recorded only in code that tph instruments. The block's own trace takes the calls
// made inside it and prints their tree; the run tph stores then holds no call (nested traces:
// the innermost records, see the README's "The library").
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
