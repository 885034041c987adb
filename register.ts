/**
 * The register entry: trace a program's own files without `tph run`. Load it before the program —
 *
 * ```sh
 * node --import tph/register main.ts
 * bun --preload tph/register main.ts
 * deno run -A --preload npm:tph/register main.ts
 * ```
 *
 * — and only `trace()` blocks record; each finished block is stored in the run cache (see the
 * README, "The library"). On Node the package gives `register_node.ts` instead, which turns
 * Node's compile cache on before the rest of tph loads.
 *
 * @module
 */
import { registerEntry } from "./src/program/register.ts";

registerEntry();
