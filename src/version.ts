/** The tph version, written into every saved run and part of the transform cache key. */
export const VERSION = "0.1.0";
