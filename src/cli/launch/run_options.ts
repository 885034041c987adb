// The options of `tph run`, apart from the command: the head start (src/cli/launch/early_start.ts)
// reads them to find the script in the command line before the rest of the CLI loads.

import { DEFAULT_LIMITS } from "../../run_file/limits.ts";
import { EXPORT_FORMATS, formatNames } from "../export/formats.ts";
import type { OptionSpec } from "../argv.ts";
import { PROGRAM_RUNTIMES } from "../../program/command.ts";

/** `--find-match`'s values. */
export const FIND_MATCHES = ["equals", "contains", "regex"] as const;

/** `tph run`'s options by long name (`-h, --help` is added to every command). */
export const RUN_OPTIONS = {
  eval: {
    type: "string",
    short: "e",
    arg: "EXPR",
    help: "run an expression (its value is printed) or statements instead of a script: names " +
      "of modules here and packages in it are imported",
  },
  import: {
    type: "string",
    multiple: true,
    arg: "SPEC[=NAME]",
    help: "with -e: also import SPEC (a file or package) as NAME (repeatable)",
  },
  scope: {
    type: "string",
    multiple: true,
    arg: "DIR",
    help: "trace files under DIR instead of the project root (repeatable; a source file: " +
      "that file alone)",
  },
  include: {
    type: "string",
    multiple: true,
    arg: "GLOB",
    help: "also trace matching files, e.g. 'node_modules/marked/**' (repeatable)",
  },
  exclude: {
    type: "string",
    multiple: true,
    arg: "GLOB",
    help: "never trace matching files (repeatable)",
  },
  find: {
    type: "string",
    multiple: true,
    arg: "VALUE",
    help: "find VALUE (JSON when it parses, else text) in every call's arguments, return " +
      "value and error, calls left out by limits included (repeatable; see tph find)",
  },
  "find-type": {
    type: "string",
    multiple: true,
    arg: "T",
    help: "with --find: only values of type T (number, string, boolean, bigint, null, " +
      "undefined, or a class name)",
  },
  "find-match": {
    type: "string",
    multiple: true,
    arg: "M",
    help: "with --find: equals (default), contains or regex",
    choices: FIND_MATCHES,
  },
  "no-redact": {
    type: "boolean",
    help:
      "store every value as it is: no [redacted] for secret names, known secrets or redact_values",
  },
  "no-external-calls": {
    type: "boolean",
    help: "do not record calls into untraced code (packages, JSON.parse, fs…)",
  },
  "no-propagate": {
    type: "boolean",
    help: "do not add a traceparent header to the program's outgoing fetch and http requests",
  },
  "max-depth": {
    type: "string",
    arg: "N",
    help: `deepest call level recorded (default ${DEFAULT_LIMITS.maxDepth})`,
  },
  "max-calls": {
    type: "string",
    arg: "N",
    help: `most calls recorded (default ${DEFAULT_LIMITS.maxCalls})`,
  },
  "max-repr": {
    type: "string",
    arg: "N",
    help: `longest value text (default ${DEFAULT_LIMITS.maxRepr})`,
  },
  details: {
    type: "string",
    arg: "N|all",
    help: `calls of each function whose objects are shown in full; later ones in short ` +
      `({…} after their class name) ` +
      `(default ${DEFAULT_LIMITS.details}; all: every call)`,
  },
  label: {
    type: "string",
    arg: "TEXT",
    help: "label stored with the run (config: default_label)",
  },
  output: {
    type: "string",
    short: "o",
    arg: "FILE",
    help: "also write the run's JSON to FILE (with --export, the export)",
  },
  export: {
    type: "string",
    arg: "FORMAT",
    help: `also export the run: ${formatNames("or")} (to -o FILE, else beside the stored run)`,
    choices: EXPORT_FORMATS,
  },
  runtime: {
    type: "string",
    arg: "NAME",
    help: "run the program on deno, bun or node (found on PATH; default: the runtime tph " +
      "runs on)",
    choices: PROGRAM_RUNTIMES,
  },
  blocks: {
    type: "boolean",
    help: "record only inside the program's trace() blocks, each stored as a run of its own " +
      "(config: blocks_only)",
  },
  "no-follow": {
    type: "boolean",
    help: "do not record the processes of JavaScript runtimes and the workers the program " +
      "starts (config: follow_children)",
  },
  "one-run": {
    type: "boolean",
    help: "keep one run for the whole process of a program that serves HTTP, instead of a run " +
      "per request (config: run_per_request)",
  },
  "no-cache": { type: "boolean", help: "do not store the run in the cache folder" },
  tree: { type: "boolean", help: "print the call tree to stderr when the program ends" },
  wide: {
    type: "boolean",
    help: "with --tree on a terminal, draw each call's whole line (values not cut to the width)",
  },
  "cache-dir": { type: "string", arg: "DIR", help: "the run cache folder" },
} as const satisfies Record<string, OptionSpec>;

/** The test runners `tph test --runner` takes. */
export const TEST_RUNNERS = ["deno", "bun", "node", "vitest", "jest"] as const;

/** `tph test`'s options: the scope and limits of `tph run`, applied to each test. */
export const TEST_OPTIONS = {
  runner: {
    type: "string",
    arg: "NAME",
    help:
      "the test runner (default: the project's, from its config files, else its test files' imports)",
    choices: TEST_RUNNERS,
  },
  "failed-only": { type: "boolean", help: "keep only the runs of failing tests" },
  scope: RUN_OPTIONS.scope,
  include: RUN_OPTIONS.include,
  exclude: RUN_OPTIONS.exclude,
  "no-redact": RUN_OPTIONS["no-redact"],
  "no-external-calls": RUN_OPTIONS["no-external-calls"],
  "no-propagate": RUN_OPTIONS["no-propagate"],
  "max-depth": RUN_OPTIONS["max-depth"],
  "max-calls": RUN_OPTIONS["max-calls"],
  "max-repr": RUN_OPTIONS["max-repr"],
  details: RUN_OPTIONS.details,
  "cache-dir": RUN_OPTIONS["cache-dir"],
} as const satisfies Record<string, OptionSpec>;
