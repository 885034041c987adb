/**
 * `setTimeout` and `clearTimeout` as they were when tph's modules loaded (before the program runs),
 * as globals.ts holds the other built-ins. Apart from globals.ts: on Deno (2.9) both are lazy
 * getters whose first read loads Deno's Node timers with their layer (uv, async_wrap, errors,
 * inspect: ~40 ms of wall at load before `tph run` could spawn the program, as the CLI's head start
 * imports globals.ts; docs/performance.md, s32 start). The program's process reads them here, once
 * the Node layer that its hooks need is loaded (then ~0 ms); the CLI's head start never.
 *
 * @module
 */

const g = globalThis;

export const clearTimeout = g.clearTimeout;
export const setTimeout = g.setTimeout;
