#!/usr/bin/env -S deno run -A
// The tph command line: `deno run -A cli.ts <command>` or `bun cli.ts <command>`.
import process from "node:process";
import { main } from "./src/cli/main.ts";

process.exitCode = await main(process.argv.slice(2));
