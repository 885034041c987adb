// The contract between instrumented code and the recorder: the global the emitted code calls,
// and the names of the locals it declares. Both sides import these so they cannot drift.

/**
 * Version of this contract: part of the transform cache key, so code instrumented for another
 * recorder is never reused. Bump on any change to what the instrumenter emits.
 */
export const ABI_VERSION = 11;

/** Global property holding the recorder that instrumented code reports to. */
export const RUNTIME_GLOBAL = "__tph";
/** Local holding the current call's handle (or -1 when the call is not recorded). */
export const CALL_LOCAL = "__tph_c";
/** Catch parameter used by the emitted try/catch. */
export const ERROR_LOCAL = "__tph_x";
/** Module-scope names: the function-table base id (var) and the table itself (function). */
export const BASE_PREFIX = "__tph_b_";
export const META_PREFIX = "__tph_m_";

/** Bit flags of a function in the emitted metadata table. */
export const FLAG_ASYNC = 1;
export const FLAG_GENERATOR = 2;
export const FLAG_STATIC = 4;

/**
 * One row of the emitted metadata table: qualified name, kind, line, column, flags, and the
 * parameter display names joined by ",".
 */
export type MetaRow = [string, string, number, number, number, string];

/** What `__tph_m_<h>()` returns: the file, the module name, and one row per function. */
export type ModuleMeta = [string, string, MetaRow[]];
