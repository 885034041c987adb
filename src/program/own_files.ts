// Where tph's own files are, worked out from this module's URL. Every such path is worked out
// here, in one folder: the npm package's preload is tph's program side bundled into one file of
// this folder (npm/build.ts), where each module's `import.meta.url` is the bundle's.

/** tph's own top folder (a checkout's or an installed package's `lib/`), as a URL. */
export const OWN_ROOT_URL: URL = new URL("../..", import.meta.url);

/** The module of the parser's worker thread (parser_worker.ts). */
export const INSTRUMENT_WORKER_URL: URL = new URL(
  "./loader/instrument_worker.ts",
  import.meta.url,
);
