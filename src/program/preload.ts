// Loaded with `deno run --preload` / `bun --preload` / `node --import` by `tph run`, before the
// program.
import { setupChild } from "./child.ts";

// As the CLI gave it to the runtime (command.ts): its path, or (Node) its file URL.
setupChild([decodeURIComponent(new URL(import.meta.url).pathname), import.meta.url]);
