// Loaded with `deno run --preload` / `bun --preload` / `node --require` by `tph run`, before the
// program.
// One import of child.ts (the npm package's build points it at the bundle).
import { holdMessages, setupChild, takeAsk } from "./child.ts";

// A followed Deno web worker's module takes its first message through it, a node:worker_threads
// one holds its messages while its module loads (follow.ts).
export { holdMessages, takeAsk };

// A file URL's path, as the CLI gave it to the runtime (command.ts); a worker followed on Deno
// imports it with the settings in its URL (follow.ts).
const url = new URL(import.meta.url);
setupChild([decodeURIComponent(url.pathname)], null, url.searchParams.get("follow"));
