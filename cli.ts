#!/usr/bin/env -S deno run -A
// The tph command line: `deno run -A cli.ts <command>` or `bun cli.ts <command>`.
import { args, setExitCode } from "./src/runtime/_host.ts";
import { abortEarly, startEarly } from "./src/loader/early_start.ts";

const argv = args();
// `tph run` starts the program's process before loading the rest of the CLI (early_start.ts).
startEarly(argv);
const { main } = await import("./src/cli/main.ts");
const code = await main(argv);
await abortEarly();
setExitCode(code);
