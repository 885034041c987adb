/**
 * tph: a runtime call tracer for TypeScript and JavaScript.
 *
 * Run a program with `tph run main.ts` and every function in the project's own files is
 * rewritten at load time to report its calls: arguments by name, return values or errors,
 * timing, and who called whom, across `await`. Inside such a program, {@linkcode trace} records
 * one block of work (a request, a command) as a call tree:
 *
 * ```ts
 * import { trace } from "./mod.ts";
 *
 * function fetchUser(userId: number) {
 *   return { id: userId, name: "Alice" };
 * }
 *
 * const t = trace.run(() => fetchUser(42));
 * console.log(t.tree());
 * // └── fetchUser(userId=42) -> { id: 42, name: "Alice" }  [12µs]
 * ```
 *
 * Without `tph run`, load the register entry first (`node --import tph/register main.ts`, `bun
 * --preload tph/register`, `deno run -A --preload npm:tph/register`): the program's own files are
 * instrumented as they load, only its trace() blocks record, and each finished block is stored in
 * the run cache, where {@linkcode trace.logs} and {@linkcode trace.load} (and `tph logs`) find it.
 * {@linkcode loadConfig} reads the project's config as tph does.
 *
 * The pieces are exported too: {@linkcode instrument} (the source rewriter), the recorder's
 * {@linkcode runtime}, the JSON types, and {@linkcode renderTree} for saved runs.
 *
 * @module
 */

export { trace, type TraceHandle, type TraceOptions, type Writable } from "./src/program/trace.ts";
export type { StoredRun, StoredRunsOptions } from "./src/program/stored_runs.ts";
export {
  ConfigError,
  DEFAULT_CONFIG,
  loadConfig,
  type LoadConfigOptions,
  type LoadedConfig,
  type TphConfig,
} from "./src/config/load_config.ts";
export {
  instrument,
  type InstrumentOptions,
  type InstrumentResult,
  type Lang,
} from "./src/program/instrument/instrument.ts";
export { runtime } from "./src/program/recorder/recorder.ts";
export { formatError, repr } from "./src/program/recorder/repr.ts";
export { renderTree, type TreeOptions } from "./src/render/tree.ts";
export { DEFAULT_LIMITS, type TraceLimits } from "./src/run_file/limits.ts";
export {
  type CallNodeJSON,
  type FindJSON,
  type FindMatchJSON,
  type FunctionInfo,
  type RunInfo,
  type RunJSON,
  SCHEMA_VERSION,
} from "./src/types.ts";
export { VERSION } from "./src/version.ts";
