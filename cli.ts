#!/usr/bin/env -S deno run -A
// The tph command line: `deno run -A cli.ts <command>` or `bun cli.ts <command>`.
import { args, setExitCode } from "./src/runtime/_host.ts";
import { main } from "./src/cli/main.ts";

setExitCode(await main(args()));
