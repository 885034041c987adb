// The command reference in docs/cli.md, and the command list in the README, written from the
// command table. Each generated part sits between two marker comments; the prose around them is
// written by hand. `deno task docs` rewrites the parts, and a test fails when a file is stale.

import { HELP_OPTION, type OptionSpec } from "../argv.ts";
import type { Command } from "./command.ts";

const BEGIN = "<!-- generated from the command table by `deno task docs`: ";

/** The comment that opens a generated part, naming it. */
export function beginMarker(part: string): string {
  return `${BEGIN}${part} -->`;
}

/** The comment that closes a generated part. */
export const END_MARKER = "<!-- end of generated part -->";

/** A cell of a markdown table: a `|` would end it. */
function cell(text: string): string {
  return text.replaceAll("|", "\\|");
}

/** A markdown table, its columns padded as `deno fmt` pads them. */
function table(head: string[], rows: string[][]): string[] {
  const all = [head, ...rows].map((r) => r.map(cell));
  const widths = head.map((_, i) => Math.max(3, ...all.map((r) => [...r[i]].length)));
  const line = (r: string[]) =>
    `| ${r.map((c, i) => c + " ".repeat(widths[i] - [...c].length)).join(" | ")} |`;
  return [line(all[0]), line(widths.map((w) => "-".repeat(w))), ...all.slice(1).map(line)];
}

/** How an option is written: `-o, --output FILE`, `--timing[=RATIO]`. */
function optionName(name: string, o: OptionSpec): string {
  const value = o.arg ? (o.inlineValue ? `[=${o.arg}]` : ` ${o.arg}`) : "";
  return `\`${o.short ? `-${o.short}, ` : ""}--${name}${value}\``;
}

/** The anchor of a command's heading (GitHub's, for `` ### `tph tree` ``). */
export function anchorOf(cmd: Command): string {
  return `tph-${cmd.name}`;
}

/**
 * A command's generated part of docs/cli.md: heading, summary, usage, options and examples.
 *
 * @param cmd The command.
 * @returns Markdown lines, without the markers.
 */
export function commandSection(cmd: Command): string[] {
  const all: Record<string, OptionSpec> = { ...cmd.options, help: HELP_OPTION };
  const lines = [
    `### \`tph ${cmd.name}\``,
    "",
    `${cmd.summary[0].toUpperCase()}${cmd.summary.slice(1)}.`,
    "",
    "```",
    `tph ${cmd.usage}`,
    "```",
    "",
    ...table(
      ["option", "meaning"],
      Object.entries(all).map(([name, o]) => [optionName(name, o), o.help]),
    ),
  ];
  if (cmd.examples?.length) lines.push("", "```sh", ...cmd.examples, "```");
  return lines;
}

/**
 * The README's command list: each command, linked to its section of docs/cli.md.
 *
 * @param commands Every command.
 * @returns Markdown lines, without the markers.
 */
export function commandList(commands: readonly Command[]): string[] {
  return table(
    ["command", "what it does"],
    commands.map((c) => [`[\`tph ${c.name}\`](docs/cli.md#${anchorOf(c)})`, c.summary]),
  );
}

/**
 * A file with its generated parts written anew from the table. A part names what it holds:
 * `tph <command>` (that command's section) or `command list`.
 *
 * @param text The file.
 * @param commands Every command.
 * @param required The parts the file must have (a command without its section is an error).
 * @returns The file with every part rewritten.
 * @throws {Error} A part that names nothing in the table, an unclosed part, or a missing one.
 *
 * @example
 * ```ts
 * import { beginMarker, END_MARKER, updateParts } from "./src/cli/commands/reference.ts";
 * import { COMMANDS } from "./src/cli/commands/commands.ts";
 * const text = `# tph\n\n${beginMarker("tph logs")}\n${END_MARKER}\n`;
 * console.log(updateParts(text, COMMANDS, ["tph logs"]));
 * ```
 */
export function updateParts(
  text: string,
  commands: readonly Command[],
  required: readonly string[],
): string {
  const lines = text.split("\n");
  const out: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    out.push(lines[i]);
    if (!lines[i].startsWith(BEGIN)) continue;
    const part = lines[i].slice(BEGIN.length, -" -->".length);
    const end = lines.indexOf(END_MARKER, i + 1);
    if (end < 0) throw new Error(`the generated part "${part}" has no end marker`);
    const cmd = commands.find((c) => `tph ${c.name}` === part);
    if (part === "command list") out.push("", ...commandList(commands), "");
    else if (cmd !== undefined) out.push("", ...commandSection(cmd), "");
    else throw new Error(`the generated part "${part}" names no command of the table`);
    seen.add(part);
    out.push(END_MARKER);
    i = end;
  }
  const missing = required.filter((p) => !seen.has(p));
  if (missing.length > 0) throw new Error(`no generated part for ${missing.join(", ")}`);
  return out.join("\n");
}

/** The parts docs/cli.md must have: one per command. */
export function cliParts(commands: readonly Command[]): string[] {
  return commands.map((c) => `tph ${c.name}`);
}
