// The default limits of a trace, as in tracepatch: the one place they are written (the config's
// defaults, the CLI's help, the library and the recorder read them here).

/** Deepest call level, most calls and longest value text a trace records by default. */
export const DEFAULT_LIMITS = { maxDepth: 30, maxCalls: 10000, maxRepr: 120 } as const;
