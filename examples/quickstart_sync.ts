// tracepatch's quick start, in TypeScript. Run it with `tph run examples/quickstart_sync.ts`:
// calls are recorded only in code that tph instruments.
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
