// Loaded with `deno run --preload` / `bun --preload` by `tph run`, before the program.
import { setupChild } from "./child.ts";

setupChild();
