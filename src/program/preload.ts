// Loaded with `deno run --preload` / `bun --preload` / `node --require` by `tph run`, before the
// program.
import { setupChild } from "./child.ts";

// A file URL's path, as the CLI gave it to the runtime (command.ts).
setupChild([decodeURIComponent(new URL(import.meta.url).pathname)]);
