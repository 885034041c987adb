// Where tph's own files are, worked out from this module's URL. Every such path of the program's
// side is worked out here, in one folder: the npm package's preload loads tph's program side
// bundled into one file of this folder (npm/build.ts), where each module's `import.meta.url` is
// the bundle's.

/** tph's own top folder (a checkout's or an installed package's `lib/`), as a URL. */
export const OWN_ROOT_URL: URL = new URL("../../..", import.meta.url);

/** The module of the parser's worker thread (parser_worker.ts). */
export const INSTRUMENT_WORKER_URL: URL = new URL("./instrument_worker.ts", import.meta.url);

/** The preloads of the program's process (command.ts): `tph run` on Deno and Bun, on Node. */
export const PRELOAD_URL: URL = new URL("../preload.ts", import.meta.url);
export const NODE_PRELOAD_URL: URL = new URL("../node_preload.ts", import.meta.url);
/**
 * On Bun from a checkout, as Bun's bytecode (src/cli/launch/bun_bytecode.ts): `tph run`'s
 * preload, and the CLI after its head start.
 */
export const BUN_PRELOAD_URL: URL = new URL("./.bun_preload.js", import.meta.url);
export const BUN_CLI_URL: URL = new URL("./.bun_cli.js", import.meta.url);
export const BUN_HEAD_URL: URL = new URL("./.bun_head.js", import.meta.url);
/**
 * On Deno from a checkout, as one module each (src/cli/launch/deno_bundle.ts): `tph run`'s
 * preload, and the CLI after its head start.
 */
export const DENO_PRELOAD_URL: URL = new URL("./.deno_preload.js", import.meta.url);
export const DENO_CLI_URL: URL = new URL("./.deno_cli.js", import.meta.url);
/** `tph test`'s preload (deno test). */
export const TEST_PRELOAD_URL: URL = new URL("../test_preload.ts", import.meta.url);
