// The command table: every command as data. The parser, `tph help`, the reference in docs/cli.md
// (`deno task docs`) and `tph completion` read it; each command's work is in its own module
// (`<name>_command.ts`, exporting `run`), imported only when that command runs. A new command is
// an entry here, its options in options.ts, a module beside it, and its section in docs/cli.md.
//
// Nothing heavy is imported here: `tph --help` and `tph logs` load this table, not the exporters,
// the page writer, the setup code or the launcher.

import {
  EXPORT_FORMATS,
  EXPORT_SUFFIX,
  formatNames,
  MULTI_RUN_FORMATS,
} from "../export/formats.ts";
import { RUN_OPTIONS, TEST_OPTIONS } from "../launch/run_options.ts";
import { TEST_FILE_NAME } from "../setup/test_file_name.ts";
import { type Command, defineCommand } from "./command.ts";
import {
  CLEAN_OPTIONS,
  COMPLETION_OPTIONS,
  CONFIG_OPTIONS,
  DIFF_OPTIONS,
  DISABLE_OPTIONS,
  EXPORT_OPTIONS,
  FIND_OPTIONS,
  HELP_OPTIONS,
  LOGS_OPTIONS,
  LSP_OPTIONS,
  SETUP_OPTIONS,
  TREE_OPTIONS,
  VIEW_OPTIONS,
} from "./options.ts";

export const runCommand = defineCommand({
  name: "run",
  summary: "run a program with every function of the project traced, and store the run",
  usage: "run [options] <script> [script args…]  |  run [options] -e EXPR",
  details: [
    "-e EXPR runs an expression or statements: names in it of a module in this folder (foo:",
    "./foo.ts, .tsx, .mts, .js, .mjs, ./foo/mod.ts, ./foo/index.ts) or of an installed package",
    "are imported as namespaces (a CommonJS package as its value, as import x from gives it);",
    "an expression's value (awaited) is printed; a syntax error is one line with its place in",
    "the code; the run records the code as its command.",
  ],
  examples: [
    "tph run main.ts --port 8080",
    "tph run --max-calls 1000000 --tree app.ts",
    'tph run -e "foo.foo(-2)"',
  ],
  options: RUN_OPTIONS,
  positionals: [0, Infinity],
  stopAtFirstPositional: true,
  load: () => import("./run_command.ts"),
});

/** `tph test`: the project's tests under their runner, a run per test. */
export const testCommand = defineCommand({
  name: "test",
  summary: "run the project's tests with every function of the project traced, a run per test",
  usage: "test [options] [-- runner args…]",
  details: [
    "The runner is the project's (deno.json: deno test; package.json's bun test, node --test,",
    "vitest or jest; bunfig.toml), else the one the test files import (bun:test, vitest,",
    "@jest/globals, node:test, Deno.test; a tie goes to the runtime tph runs on; tph says which),",
    "or --runner's; what comes after -- goes to it (deno test's",
    "--filter, node --test's files, vitest's -t). Its output and exit code are unchanged. Each",
    "test's calls are stored as a run of its own, labelled with the test's name, with its file",
    "and outcome; after the runner's report one line names each failing test's run. tph logs",
    "--failed lists those runs. Deno's, Bun's and Node's runners, vitest (1.0 or later, always",
    "`vitest run`) and jest (30 or later).",
  ],
  examples: [
    "tph test",
    "tph test --failed-only -- --filter parse",
    "tph test --runner vitest -- -t 'parses dates' test/date.test.ts",
    "tph test --include 'node_modules/marked/**' -- tests/render_test.ts",
  ],
  options: TEST_OPTIONS,
  positionals: [0, Infinity],
  load: () => import("./test_command.ts"),
});

/** `tph logs`: the stored runs, newest first, as a table or JSON. */
export const logsCommand = defineCommand({
  name: "logs",
  summary: "list stored runs, newest first",
  usage: "logs [--limit N] [--failed] [--json] [--cache-dir DIR]",
  details: [
    "The # column numbers runs as tph view N and tph tree N take them (1 = newest); size is",
    "the run file's (kB and MB of 1000).",
    "Files in the cache folder that are not tph runs are skipped with a warning.",
  ],
  examples: ["tph logs", "tph logs --limit 5", "tph logs --json"],
  options: LOGS_OPTIONS,
  positionals: [0, 0],
  load: () => import("./logs_command.ts"),
});

/** `tph lsp`: a language server showing the stored runs' calls at the code. */
export const lspCommand = defineCommand({
  name: "lsp",
  summary: "a language server (LSP, on stdin and stdout) that shows stored runs in the editor",
  usage: "lsp [--cache-dir DIR]",
  details: [
    "For an editor to start, in the project's folder: it shows the newest run (a failing",
    "test's first, after tph test), and follows new runs as they are stored. At each function",
    "that ran: an inlay hint (×calls · the last or failing call's arguments → result), a",
    "hover (its first and failing calls, total and self time, callers and callees; on a",
    "parameter, the values it took), code lenses (the tree of that call; its calls against",
    "the run stored before, as tph diff shows them), and a diagnostic (information) where a",
    "call threw. Commands: tph.showTree, tph.compareRuns, tph.openPage (tph view --html),",
    "tph.listRuns, tph.useRun (a run's number, id or path; null: the newest again). It reads",
    "stored runs only and never runs the program. initializationOptions: { hintWidth }.",
  ],
  examples: ["tph lsp"],
  options: LSP_OPTIONS,
  positionals: [0, 0],
  load: () => import("./lsp_command.ts"),
});

/** `tph view <run>`: what a stored run was, without its call tree. */
export const viewCommand = defineCommand({
  name: "view",
  summary:
    "describe a stored run (time, command, how it ended, calls, limits), or write it as a web page",
  usage: "view <run> [--json] [--html [-o FILE] [--open] [--filter NAME] [--max-depth N]] " +
    "[--cache-dir DIR]",
  details: [
    "<run> is a run file, last, N as numbered by tph logs (1 = newest), a run id, a",
    "unique prefix of one, or its hex end (as tph run shows it). --html writes the run as one",
    "web page that works offline (no server, no network): the call tree, a flame chart, search,",
    "a table of functions. It goes beside the run (run_….html) or to FILE; --open opens it in",
    "the system's browser.",
  ],
  examples: [
    "tph view last",
    "tph view 2",
    "tph view 20261122T0815 --json",
    "tph view last --html --open",
  ],
  options: VIEW_OPTIONS,
  positionals: [1, 1],
  words: "runs",
  load: () => import("./view_command.ts"),
});

/** `tph tree <run>`: a stored run's call tree. */
export const treeCommand = defineCommand({
  name: "tree",
  summary: "draw a stored run's call tree",
  usage: "tree <run> [--max-depth N] [--no-args] [--no-return] [--style ascii|unicode] " +
    "[--filter NAME] [--cache-dir DIR]",
  details: [
    "<run> is a run file, last, N as numbered by tph logs (1 = newest), a run id, a",
    "unique prefix of one, or its hex end (as tph run shows it). Errors show as !! Error:",
    "message, external calls as [ext], calls open when the run ended as [unfinished]; a line",
    "counts the calls limits left out.",
    "Defaults come from the config (tree_style, show_args, show_return); flags override it.",
  ],
  examples: [
    "tph tree last",
    "tph tree 2 --max-depth 3 --no-args",
    "tph tree last --filter fetchUser --style ascii",
  ],
  options: TREE_OPTIONS,
  positionals: [1, 1],
  words: "runs",
  load: () => import("./tree_command.ts"),
});

/** `tph diff [<runA> [<runB>]]`: what changed between two runs, call by call. */
export const diffCommand = defineCommand({
  name: "diff",
  summary: "compare two runs call by call: what was added, removed or changed",
  usage: "diff [<runA> [<runB>]] [options]",
  details: [
    "With no run it compares the two newest (2 → 1); with one, that run with the newest.",
    "Calls are matched as trees (the roots, then each matched call's children, aligned as",
    "sequences by name and module), so one inserted call does not mark the rest as changed.",
    "Lines start with + (only in B), - (only in A), ~ (changed: before → after) or a space",
    "(unchanged, shown as context or as the way to a difference). Exit code as diff(1): 0",
    "no differences, 1 differences, 2 trouble.",
  ],
  examples: [
    "tph diff",
    "tph diff 2 1 --ignore-values '\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z'",
    "tph diff before.json after.json --json",
    "tph diff 3 --summary",
  ],
  options: DIFF_OPTIONS,
  positionals: [0, 2],
  words: "runs",
  load: () => import("./diff_command.ts"),
});

/** `tph find <run> [VALUE…]`. */
export const findCommand = defineCommand({
  name: "find",
  summary: "where values went: the matches of tph run --find, or a search of recorded calls",
  usage: "find <run> [VALUE…] [--match M] [--where W] [--json] [-o FILE] [--cache-dir DIR]",
  details: [
    "With no VALUE: the matches tph run --find found while the program ran, on the real",
    "values (inside arrays, objects, Maps and Sets too), calls left out by limits included.",
    "With values: the run's recorded calls searched on their stored texts (reprs, cut at",
    "max_repr): a number's digits, a string in double quotes. Exit code as grep: 0 found,",
    "1 nothing found, 2 trouble.",
  ],
  examples: [
    'tph run -e "foo.foo(-2)" --find 2 --find-type number && tph find last',
    "tph find last --json -o traces.json",
    'tph find 2 "alice@example.com" --where arg',
  ],
  options: FIND_OPTIONS,
  positionals: [1, Infinity],
  words: "runs",
  load: () => import("./find_command.ts"),
});

/** `tph export <run>`: a stored run in another tool's format (or tph's JSON), streamed. */
export const exportCommand = defineCommand({
  name: "export",
  summary: "write a stored run for Perfetto, speedscope, OpenTelemetry, or as JSON, streamed",
  usage: `export <run> [<run>…] [--format ${EXPORT_FORMATS.join("|")}] [-o FILE] ` +
    "[--otlp-endpoint URL | --otlp] [--filter NAME] [--max-depth N] [--cache-dir DIR]",
  details: [
    "<run> is a run file, last, N as numbered by tph logs (1 = newest), a run id, a",
    "unique prefix of one, or its hex end (as tph run shows it). With --format, the export goes",
    "to FILE, or without -o beside the run",
    `(run_…${EXPORT_FORMATS.map((f) => EXPORT_SUFFIX[f]).join(", ")}); -o - writes it to`,
    "stdout. Without --format, the run's JSON goes to stdout (or FILE), as tph run -o writes it.",
    "chrome: Trace Event Format, for ui.perfetto.dev and chrome://tracing; perfetto: Perfetto's",
    "own protobuf format, smaller; speedscope: for npx speedscope; otlp: OTLP/JSON, for an",
    "OpenTelemetry collector (Jaeger, Grafana Tempo). Calls that ran at once are drawn on tracks",
    "of their own (async 1, async 2, …) so that nothing overlaps. --otlp-endpoint sends the",
    "run to a collector instead (OTLP/HTTP protobuf, to URL/v1/traces, requests of 16 MiB at most);",
    "--otlp sends it to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or OTEL_EXPORTER_OTLP_ENDPOINT's",
    "/v1/traces (default http://localhost:4318). Headers come from OTEL_EXPORTER_OTLP_HEADERS and",
    "OTEL_EXPORTER_OTLP_TRACES_HEADERS (k=v,k2=v2, URL-encoded values); credentials in the URL",
    "(http://user:password@host) are sent as Authorization: Basic and never printed.",
    "Several runs (the services or child processes one request went through) export as one",
    `trace, to -o FILE or a collector (${formatNames("and", MULTI_RUN_FORMATS)}): OTLP spans`,
    "of runs that recorded the request's W3C trace context (traceparent) are in its trace,",
    "under its span; the others share one trace id. Span ids are unique across runs. chrome",
    "and perfetto draw each run as a process, on one clock; speedscope as profiles of its own.",
    "A run's followed processes and workers (tph run) come with it: a process a process of its",
    "own, a worker threads of its parent's process, each named by the call that started it,",
    "and in OTLP under that call's span.",
    "An export that takes more than half a second says how far it is on stderr, when that is a",
    "terminal (so does tph view --html).",
  ],
  examples: [
    "tph export last --format chrome",
    "tph export last --format speedscope -o trace.speedscope.json",
    "tph export 2 --format otlp --filter checkout",
    "tph export last --otlp-endpoint http://localhost:4318",
    "tph export 1 2 3 --format otlp -o request.otlp.json",
    "tph export last > run.json",
  ],
  options: EXPORT_OPTIONS,
  positionals: [1, Infinity],
  words: "runs",
  load: () => import("./export_command.ts"),
});

/** `tph setup`. */
export const setupCommand = defineCommand({
  name: "setup",
  summary: `write ${TEST_FILE_NAME}: calls of the functions the config's [[test.files]] names`,
  usage: "setup [options]",
  details: [
    "Reads [[test.files]] (path, functions) and [[test.inputs]] (function, args, kwargs,",
    "construct) from the config; without inputs, arguments are built from parameter types.",
    `Run the file with "tph run ${TEST_FILE_NAME}"; "tph disable" removes it again.`,
    "With staged changes in git it stops (asks, on a terminal) unless --yes.",
  ],
  examples: ["tph setup", `tph run ${TEST_FILE_NAME}`, "tph disable"],
  options: SETUP_OPTIONS,
  positionals: [0, 0],
  load: () => import("./setup_command.ts"),
});

/** `tph disable`. */
export const disableCommand = defineCommand({
  name: "disable",
  summary: `remove what tph setup wrote (restoring any file it replaced); runs are kept`,
  usage: "disable [options]",
  details: [
    `Removes ${TEST_FILE_NAME} and the setup state; a file setup replaced is put back.`,
    "A generated file edited since is left alone unless --force. Runs stay in the cache.",
  ],
  examples: ["tph disable", "tph disable --force"],
  options: DISABLE_OPTIONS,
  positionals: [0, 0],
  load: () => import("./disable_command.ts"),
});

/** `tph clean`: remove old runs from the cache folder. */
export const cleanCommand = defineCommand({
  name: "clean",
  summary: "remove stored runs: all but the newest N, those older than a duration, or all",
  usage: "clean (--keep N | --older-than DURATION | --all) [--dry-run] [--cache-dir DIR]",
  details: [
    "Given together, --keep and --older-than both hold afterwards: a run is removed when it is",
    "not among the N newest or when it is older than DURATION (its start time).",
    "Only runs tph logs lists are removed: never other files, folders, links, files it skips",
    "or a run still being written.",
  ],
  examples: [
    "tph clean --keep 20",
    "tph clean --older-than 30d --dry-run",
    "tph clean --keep 50 --older-than 2w",
    "tph clean --all",
  ],
  options: CLEAN_OPTIONS,
  positionals: [0, 0],
  load: () => import("./clean_command.ts"),
});

/** `tph config`: where the configuration comes from and every effective value. */
export const configCommand = defineCommand({
  name: "config",
  summary: "show where the configuration comes from and every effective value",
  usage: "config [--file PATH]",
  details: [
    'tph reads tracepatch.toml, or a "tracepatch" object in deno.json or package.json: the',
    "nearest folder (from here upward) that has one wins; in one folder tracepatch.toml first.",
  ],
  examples: ["tph config", "tph config --file ci/tracepatch.toml"],
  options: CONFIG_OPTIONS,
  positionals: [0, 0],
  load: () => import("./config_command.ts"),
});

/** `tph help [command]`: the overview, or one command's usage and options. */
export const helpCommand = defineCommand({
  name: "help",
  summary: "show help for tph or for one command",
  usage: "help [command]",
  examples: ["tph help", "tph help tree"],
  options: HELP_OPTIONS,
  positionals: [0, 1],
  words: "commands",
  load: () => import("./help_command.ts"),
});

/** `tph completion <shell>`: a completion script from this table. */
export const completionCommand = defineCommand({
  name: "completion",
  summary: "print a shell completion script for bash, zsh or fish",
  usage: "completion <shell>  |  completion runs",
  details: [
    "Completes commands, their options and the values of options that take a fixed set (export",
    "formats, styles), runs (last and the stored runs' ids, which tph completion runs lists, one",
    'a line); file names elsewhere. bash: put eval "$(tph completion bash)" in ~/.bashrc; zsh:',
    "save it as _tph in a folder of $fpath; fish: save it as ~/.config/fish/completions/tph.fish.",
  ],
  examples: [
    'eval "$(tph completion bash)"',
    "tph completion zsh > ~/.zsh/completions/_tph",
    "tph completion fish > ~/.config/fish/completions/tph.fish",
  ],
  options: COMPLETION_OPTIONS,
  positionals: [1, 1],
  words: ["bash", "zsh", "fish", "runs"],
  load: () => import("./completion_command.ts"),
});

/** Every command, in the order `tph help` lists them. */
export const COMMANDS: readonly Command[] = [
  // Tracing a program.
  runCommand,
  testCommand,
  // The read side: stored runs and the configuration.
  logsCommand,
  viewCommand,
  treeCommand,
  diffCommand,
  findCommand,
  exportCommand,
  // The runs at the code, in an editor.
  lspCommand,
  // Calling chosen functions on their own, to trace them.
  setupCommand,
  disableCommand,
  // Keeping the cache in bounds.
  cleanCommand,
  configCommand,
  // Help, and completion for the shell, both from this table.
  completionCommand,
  helpCommand,
];
