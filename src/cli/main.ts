// The CLI entry: parse, dispatch, print, and turn every failure into one line and an exit code.
// The only module that writes to stdout/stderr (commands write through the context).

import process from "node:process";
import { parseArgs } from "node:util";
import { ConfigError, loadConfig, type LoadedConfig } from "../config/load_config.ts";
import { RunFileError } from "../store/runs.ts";
import { VERSION } from "../version.ts";
import type { Command, Context } from "./command.ts";
import { CliError, usageError } from "./errors.ts";
import { configCommand, logsCommand, treeCommand, viewCommand } from "./read_commands.ts";
import { runCommand } from "./run.ts";

const COMMANDS: Command[] = [runCommand, logsCommand, viewCommand, treeCommand, configCommand];

/** Where the CLI writes; tests pass their own. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  isTerminal: boolean;
  cwd: string;
  env: Record<string, string | undefined>;
}

function optionLines(cmd: Command): string[] {
  const rows = Object.entries(cmd.options).map(([name, o]) => [
    `${o.short ? `-${o.short}, ` : "    "}--${name}${o.arg ? ` ${o.arg}` : ""}`,
    o.help + (o.multiple ? "" : ""),
  ]);
  rows.push(["-h, --help", "show this help"]);
  const w = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([a, b]) => `  ${a.padEnd(w)}  ${b}`);
}

/**
 * Usage text of one command, or of tph as a whole.
 *
 * @param name A command name, or undefined for the overview.
 * @returns The help text.
 */
export function renderUsage(name?: string): string {
  const cmd = COMMANDS.find((c) => c.name === name);
  if (cmd) {
    return [
      `tph ${cmd.summary}`,
      "",
      `Usage: tph ${cmd.usage}`,
      "",
      "Options:",
      ...optionLines(cmd),
    ]
      .join("\n");
  }
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `tph ${VERSION} — runtime call tracer for TypeScript and JavaScript`,
    "",
    "Usage: tph <command> [options]",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    `  ${"help".padEnd(w)}  show help for a command: tph help <command>`,
    "",
    "Options: -h, --help (on every command), -V, --version",
    "<run> is a file path, last, N from tph logs (1 = newest), or a run id or unique prefix.",
    "Examples:",
    "  tph run main.ts --tree",
    "  tph run --include 'node_modules/marked/**' render.ts README.md",
    "  tph logs",
    "  tph tree last --max-depth 3",
  ].join("\n");
}

/** Split `run`'s argv: tph's options come before the script, everything after is the program's. */
function splitAtScript(cmd: Command, argv: string[]): { mine: string[]; rest: string[] } {
  const mine: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") return { mine, rest: argv.slice(i + 1) };
    if (!a.startsWith("-") || a === "-") return { mine, rest: argv.slice(i) };
    mine.push(a);
    const long = a.startsWith("--") ? a.slice(2) : null;
    const spec = long !== null
      ? cmd.options[long]
      : Object.values(cmd.options).find((o) => o.short === a.slice(1));
    if (spec?.type === "string" && !a.includes("=") && i + 1 < argv.length) mine.push(argv[++i]);
  }
  return { mine, rest: [] };
}

function parse(cmd: Command, argv: string[]) {
  let tokens = argv, rest: string[] = [];
  if (cmd.stopAtFirstPositional) ({ mine: tokens, rest } = splitAtScript(cmd, argv));
  const options: Record<
    string,
    { type: "string" | "boolean"; short?: string; multiple?: boolean }
  > = {
    help: { type: "boolean", short: "h" },
  };
  for (const [name, o] of Object.entries(cmd.options)) {
    options[name] = {
      type: o.type,
      ...(o.short ? { short: o.short } : {}),
      ...(o.multiple ? { multiple: true } : {}),
    };
  }
  try {
    const { values, positionals } = parseArgs({
      args: tokens,
      options,
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Context["values"], positionals: [...positionals, ...rest] };
  } catch (e) {
    const m = /Unknown option '([^']+)'/.exec((e as Error).message);
    if (m) throw usageError(`unknown option "${m[1]}" for "${cmd.name}"`, cmd.name);
    const v = /Option '([^']+)' argument missing/.exec((e as Error).message);
    if (v) {
      throw usageError(
        `option "${v[1].split(",").pop()!.trim().split(" ")[0]}" needs a value`,
        cmd.name,
      );
    }
    throw usageError((e as Error).message.split("\n")[0], cmd.name);
  }
}

/**
 * Run the CLI.
 *
 * @param argv Arguments after `tph`.
 * @param io Output and environment (default: the process's).
 * @returns The exit code.
 */
export async function main(argv: string[], io?: Partial<Io>): Promise<number> {
  const env = io?.env ?? process.env;
  const sys: Io = {
    out: io?.out ?? ((t) => process.stdout.write(t + "\n")),
    err: io?.err ?? ((t) => process.stderr.write(t + "\n")),
    isTerminal: io?.isTerminal ?? Boolean(process.stdout.isTTY),
    cwd: io?.cwd ?? process.cwd(),
    env,
  };
  const [first, ...rest] = argv;
  try {
    if (first === undefined || first === "help" || first === "-h" || first === "--help") {
      const topic = first === "help" ? rest[0] : undefined;
      if (topic !== undefined && !COMMANDS.some((c) => c.name === topic)) {
        throw usageError(`unknown command "${topic}"`);
      }
      sys.out(renderUsage(topic));
      return 0;
    }
    if (first === "-V" || first === "--version") {
      sys.out(`tph ${VERSION}`);
      return 0;
    }
    const cmd = COMMANDS.find((c) => c.name === first);
    if (!cmd) {
      throw first.startsWith("-")
        ? usageError(`unknown option "${first}"`)
        : usageError(`unknown command "${first}"`);
    }
    const { values, positionals } = parse(cmd, rest);
    if (values.help) {
      sys.out(renderUsage(cmd.name));
      return 0;
    }
    const [min, max] = cmd.positionals;
    if (positionals.length < min) {
      throw usageError(
        `"${cmd.name}" needs ${cmd.name === "run" ? "a script" : "a run"}: tph ${cmd.usage}`,
        cmd.name,
      );
    }
    if (positionals.length > max) {
      throw usageError(`unexpected argument "${positionals[max]}" for "${cmd.name}"`, cmd.name);
    }
    let loaded: LoadedConfig | null = null;
    const ctx: Context = {
      values,
      positionals,
      cwd: sys.cwd,
      out: sys.out,
      err: sys.err,
      color: sys.isTerminal && !env.NO_COLOR,
      config: () =>
        loaded ??= loadConfig({
          cwd: sys.cwd,
          file: typeof values.file === "string" ? values.file : undefined,
        }),
    };
    return await cmd.run(ctx);
  } catch (e) {
    if (e instanceof CliError) {
      sys.err(`tph: ${e.message}`);
      if (e.code === 2) {
        sys.err(e.command ? `Run "tph help ${e.command}" for usage.` : `Run "tph help" for usage.`);
      }
      return e.code;
    }
    if (e instanceof RunFileError || e instanceof ConfigError) {
      sys.err(`tph: ${e.message}`);
      return 1;
    }
    sys.err(`tph: internal error: ${(e as Error)?.stack ?? e}`);
    return 1;
  }
}
