import { VERSION } from "../../version.ts";
import type { Command, OptionSpec } from "./command.ts";
import { HELP_OPTION } from "../argv.ts";

function table(rows: [string, string][]): string[] {
  const width = Math.max(...rows.map(([a]) => a.length));
  return rows.map(([a, b]) => `  ${a.padEnd(width)}  ${b}`.trimEnd());
}

/**
 * The help of one command: summary, usage, details, options (with `-h, --help`) and examples.
 *
 * @param cmd The command.
 * @returns The text, without a trailing newline.
 *
 * @example
 * ```ts
 * import { renderCommandHelp } from "./src/cli/commands/render_help.ts";
 * import { treeCommand } from "./src/cli/commands/commands.ts";
 * console.log(renderCommandHelp(treeCommand));
 * ```
 */
export function renderCommandHelp(cmd: Command): string {
  const all: Record<string, OptionSpec> = { ...cmd.options, help: HELP_OPTION };
  const options = Object.entries(all).map(([name, o]) =>
    [
      `${o.short ? `-${o.short}, ` : "    "}--${name}${
        o.arg ? (o.inlineValue ? `[=${o.arg}]` : ` ${o.arg}`) : ""
      }`,
      o.help,
    ] as [
      string,
      string,
    ]
  );
  const lines = [`tph ${cmd.name}: ${cmd.summary}`, "", `Usage: tph ${cmd.usage}`];
  if (cmd.details?.length) lines.push("", ...cmd.details);
  lines.push("", "Options:", ...table(options));
  if (cmd.examples?.length) lines.push("", "Examples:", ...cmd.examples.map((e) => `  ${e}`));
  return lines.join("\n");
}

/**
 * The overview of tph: version, commands, global options, what `<run>` means, examples.
 *
 * @param commands Every command, in the order to list them.
 * @returns The text, without a trailing newline.
 *
 * @example
 * ```ts
 * import { renderHelp } from "./src/cli/commands/render_help.ts";
 * console.log(renderHelp([]));
 * ```
 */
export function renderHelp(commands: readonly Command[]): string {
  return [
    `tph ${VERSION}: a runtime call tracer for TypeScript and JavaScript`,
    "",
    "Usage: tph <command> [options]",
    "",
    "Commands:",
    ...table(commands.map((c) => [c.name, c.summary])),
    "",
    "Options:",
    ...table([
      ["-h, --help", "show help (also after any command: tph tree --help)"],
      ["-V, --version", "show the version"],
    ]),
    "",
    "<run> is a run file, last, N as numbered by tph logs (1 = newest), a run id, a",
    "unique prefix of one, or its hex end (as tph run shows it). Runs are stored in",
    ".tracepatch_cache at the project root.",
    "",
    "Examples:",
    "  tph run --tree main.ts",
    "  tph logs",
    "  tph tree last --max-depth 3",
    "  tph view 2 --json",
    "",
    'Run "tph help <command>" for a command\'s options.',
  ].join("\n");
}
