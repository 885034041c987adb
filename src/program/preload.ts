// Loaded with `deno run --preload` / `bun --preload` / `node --import` by `tph run`, before the
// program.
import { setupChild } from "./child.ts";

// deno-lint-ignore no-explicit-any
const g = globalThis as any;
// As the CLI gave it to the runtime (command.ts): Node gets its file URL, the others its path.
setupChild(
  g.Deno === undefined && g.Bun === undefined
    ? import.meta.url
    : decodeURIComponent(new URL(import.meta.url).pathname),
);
