import { WIDE_OPTION } from "./tree_width.ts";
// Each command's options, as data: the command table (commands.ts) gives them to the parser, help,
// docs/cli.md and completion, and each command's work module takes the type of its values from
// them (`Context<typeof TREE_OPTIONS>`). A file of their own, apart from the table, so that a
// command's module, which the table loads when it runs, does not import the table.

import { EXPORT_FORMATS } from "../export/formats.ts";
import { TEST_FILE_NAME } from "../setup/test_file_name.ts";
import type { Options } from "./command.ts";

/** The `--cache-dir` option, the same on every command that reads runs. */
export const CACHE_DIR_OPTION = {
  type: "string",
  arg: "DIR",
  help: "the run cache folder (default: cache_dir from config, else .tracepatch_cache " +
    "at the project root; for a shared root such as /tmp, a folder in ~/.cache/tph/runs)",
} as const;

/** `tph setup` and `tph disable`: go on with staged changes. */
export const YES = {
  type: "boolean",
  short: "y",
  help: "go on when git has staged changes, without asking",
} as const;

/** `tph setup` and `tph disable`: the config file to read. */
export const CONFIG_FILE = {
  type: "string",
  arg: "PATH",
  help: 'read this config instead of searching (TOML, or JSON with a "tracepatch" key)',
} as const;

/** `--style` of tph tree and tph diff. */
export const STYLES = ["ascii", "unicode"] as const;

/** How many runs `tph logs` shows by default. */
export const DEFAULT_LOGS_LIMIT = 50;

/** `tph logs`'s options. */
export const LOGS_OPTIONS = {
  limit: { type: "string", arg: "N", help: `show at most N runs (default ${DEFAULT_LOGS_LIMIT})` },
  failed: {
    type: "boolean",
    help: "only the runs of tests that failed (tph test), numbered as among all runs",
  },
  json: {
    type: "boolean",
    help: "print a JSON array (every field of each run but its trace, plus n, id, path and " +
      "size in bytes)",
  },
  "cache-dir": CACHE_DIR_OPTION,
} as const satisfies Options;

/** `tph lsp`'s options. */
export const LSP_OPTIONS = {
  "cache-dir": CACHE_DIR_OPTION,
} as const satisfies Options;

/** `tph view`'s options. */
export const VIEW_OPTIONS = {
  json: {
    type: "boolean",
    help: "print one JSON object: every field but the trace, plus id, path and roots",
  },
  html: { type: "boolean", help: "write the run as one offline web page" },
  output: { type: "string", short: "o", arg: "FILE", help: "with --html: the page's file" },
  open: { type: "boolean", help: "with --html: open the page in the system's browser" },
  filter: {
    type: "string",
    arg: "NAME",
    help: "with --html: only calls whose name contains NAME, with the calls leading to them",
  },
  "max-depth": { type: "string", arg: "N", help: "with --html: only N levels of calls" },
  "cache-dir": CACHE_DIR_OPTION,
} as const satisfies Options;

/** `tph tree`'s options. */
/** `--color WHEN`, for the commands that colour what they print. */
export const COLOR_OPTION = {
  type: "string",
  arg: "WHEN",
  help: "colours: always, never or auto (auto: on a terminal, unless NO_COLOR is set; " +
    "FORCE_COLOR=1 or 0 decides too)",
  choices: ["always", "never", "auto"],
} as const;

export const TREE_OPTIONS = {
  "max-depth": { type: "string", arg: "N", help: "draw N levels, sum up the calls below" },
  "show-args": { type: "boolean", help: "show arguments (config: show_args)" },
  "no-args": { type: "boolean", help: "hide arguments" },
  "show-return": { type: "boolean", help: "show return values (config: show_return)" },
  "no-return": { type: "boolean", help: "hide return values" },
  style: {
    type: "string",
    arg: "STYLE",
    help: "connectors: ascii or unicode (config: tree_style)",
    choices: STYLES,
  },
  filter: {
    type: "string",
    arg: "NAME",
    help: "only calls whose name contains NAME, with their callers and callees",
  },
  wide: WIDE_OPTION,
  color: COLOR_OPTION,
  "cache-dir": CACHE_DIR_OPTION,
} as const satisfies Options;

/** `tph diff`'s options. */
export const DIFF_OPTIONS = {
  color: COLOR_OPTION,
  json: { type: "boolean", help: "print one JSON object: the runs, the summary, the changes" },
  summary: {
    type: "boolean",
    help: "per function: calls, total and self time in A and B, largest change first",
  },
  timing: {
    type: "boolean",
    inlineValue: true,
    arg: "RATIO",
    help: "calls slower or faster by RATIO (default 2) and at least 1 ms count as changed",
  },
  "ignore-args": { type: "boolean", help: "do not compare arguments" },
  "ignore-return": { type: "boolean", help: "do not compare return values" },
  ignore: {
    type: "string",
    multiple: true,
    arg: "NAME",
    help: "functions whose name contains NAME: matched, not compared, subtrees skipped",
  },
  "ignore-values": {
    type: "string",
    arg: "REGEX",
    help: "parts of values matching REGEX are not compared (timestamps, random ids)",
  },
  exact: {
    type: "boolean",
    help: "compare values as recorded (by default timer handles compare by class alone, and " +
      "an object's summary, {…} after its class name, matches it in full)",
  },
  filter: {
    type: "string",
    arg: "NAME",
    help: "only differences at or under calls whose name contains NAME",
  },
  "max-depth": { type: "string", arg: "N", help: "compare N levels of calls" },
  context: {
    type: "string",
    arg: "N",
    help: "unchanged calls shown around each difference (default 1)",
  },
  unordered: {
    type: "boolean",
    help: "match sibling calls whatever their order (concurrent async calls)",
  },
  style: { type: "string", arg: "STYLE", help: "connectors: ascii or unicode", choices: STYLES },
  "cache-dir": CACHE_DIR_OPTION,
} as const satisfies Options;

/** `tph find`'s options. */
export const FIND_OPTIONS = {
  match: {
    type: "string",
    arg: "M",
    help: "with values: equals (default), contains or regex",
    choices: ["equals", "contains", "regex"],
  },
  where: {
    type: "string",
    arg: "W",
    help: "only matches in arg, return or throw",
    choices: ["arg", "return", "throw"],
  },
  json: {
    type: "boolean",
    help: "print the matches keyed by target, as the value tracer's traces.json",
  },
  output: { type: "string", short: "o", arg: "FILE", help: "write the JSON to FILE" },
  "cache-dir": CACHE_DIR_OPTION,
} as const satisfies Options;

/** `tph export`'s options. */
export const EXPORT_OPTIONS = {
  format: {
    type: "string",
    short: "f",
    arg: "NAME",
    help: `one of ${EXPORT_FORMATS.join(", ")} (default: json to stdout)`,
    choices: EXPORT_FORMATS,
  },
  output: { type: "string", short: "o", arg: "FILE", help: "write to FILE (- for stdout)" },
  "otlp-endpoint": {
    type: "string",
    arg: "URL",
    help: "send the run to an OpenTelemetry collector (OTLP/HTTP) instead of writing a file",
  },
  otlp: {
    type: "boolean",
    help: "send the run to the collector of OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or " +
      "OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4318)",
  },
  filter: {
    type: "string",
    arg: "NAME",
    help: "only calls whose name contains NAME, with the calls leading to them",
  },
  "max-depth": { type: "string", arg: "N", help: "only N levels of calls" },
  "no-children": {
    type: "boolean",
    help: "otlp, chrome, perfetto and speedscope: leave out the runs of the processes and " +
      "workers the run started (by default each is on a track of its own)",
  },
  "cache-dir": CACHE_DIR_OPTION,
} as const satisfies Options;

/** `tph setup`'s options. */
export const SETUP_OPTIONS = {
  yes: YES,
  force: {
    type: "boolean",
    help: `overwrite ${TEST_FILE_NAME} even if it was edited since setup wrote it`,
  },
  file: CONFIG_FILE,
  "cache-dir": CACHE_DIR_OPTION,
} as const satisfies Options;

/** `tph disable`'s options. */
export const DISABLE_OPTIONS = {
  yes: YES,
  force: { type: "boolean", help: "remove generated files even if they were edited since" },
  file: CONFIG_FILE,
  "cache-dir": CACHE_DIR_OPTION,
} as const satisfies Options;

/** `tph clean`'s options. */
export const CLEAN_OPTIONS = {
  keep: { type: "string", arg: "N", help: "keep the N newest runs, remove the others" },
  "older-than": {
    type: "string",
    arg: "DURATION",
    help: "remove runs older than DURATION: minutes, hours, days or weeks (90m, 12h, 30d, 2w)",
  },
  all: { type: "boolean", help: "remove every run" },
  "dry-run": { type: "boolean", help: "list the runs that would be removed; remove nothing" },
  "cache-dir": CACHE_DIR_OPTION,
} as const satisfies Options;

/** `tph config`'s options. */
export const CONFIG_OPTIONS = {
  file: {
    type: "string",
    arg: "PATH",
    help: 'read this file instead of searching (TOML, or JSON with a "tracepatch" key)',
  },
} as const satisfies Options;

/** `tph help`'s options. */
export const HELP_OPTIONS = {} as const satisfies Options;

/** `tph completion`'s options. */
export const COMPLETION_OPTIONS = {} as const satisfies Options;
