// Shell completion scripts for tph, written from the command table: the commands, each command's
// options (with `-h, --help`), the values of an option that takes a fixed set (export formats,
// connector styles), and the words of a positional argument when they are a fixed set. Anything
// else completes as file names, the shell's own default.

import { HELP_OPTION, type OptionSpec } from "../argv.ts";
import type { Command } from "./command.ts";

/** The shells tph writes completion for. */
export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = typeof SHELLS[number];

/** Placeholders whose values are paths: completed as files (or folders, for DIR). */
const PATH_ARGS = new Set(["FILE", "PATH", "DIR"]);

interface Flag {
  name: string;
  spec: OptionSpec;
}

function flagsOf(cmd: Command): Flag[] {
  const all: Record<string, OptionSpec> = { ...cmd.options, help: HELP_OPTION };
  return Object.entries(all).map(([name, spec]) => ({ name, spec }));
}

/** The words a command's positional arguments are, when a fixed set. */
function wordsOf(cmd: Command, commands: readonly Command[]): readonly string[] | null {
  if (cmd.words === "commands") return commands.map((c) => c.name);
  if (cmd.words === "runs") return null;
  return cmd.words ?? null;
}

/** The run references of the folder the shell is in (completion_command.ts), no error shown. */
const RUN_REFS = "tph completion runs 2>/dev/null";

/** Spellings of a flag on the command line: `--name`, and `-x` when it has a short one. */
function spellings(f: Flag): string[] {
  return [`--${f.name}`, ...(f.spec.short ? [`-${f.spec.short}`] : [])];
}

/** A word a script holds in single quotes: tph's own names never hold a quote. */
function plain(word: string): string {
  if (!/^[\w.,:=+\-]+$/.test(word)) throw new Error(`not a plain word: ${word}`);
  return word;
}

/**
 * A completion script for one shell.
 *
 * @param shell bash, zsh or fish.
 * @param commands Every command, as `tph help` lists them.
 * @returns The script, ending with a newline.
 *
 * @example
 * ```ts
 * import { completionScript } from "./src/cli/commands/completion.ts";
 * import { COMMANDS } from "./src/cli/commands/commands.ts";
 * console.log(completionScript("bash", COMMANDS));
 * ```
 */
export function completionScript(shell: Shell, commands: readonly Command[]): string {
  const lines = shell === "bash"
    ? bashScript(commands)
    : shell === "zsh"
    ? zshScript(commands)
    : fishScript(commands);
  return lines.join("\n") + "\n";
}

function bashScript(commands: readonly Command[]): string[] {
  const list = (words: readonly string[]) => `'${words.map(plain).join(" ")}'`;
  const lines = [
    '# bash completion for tph: put `eval "$(tph completion bash)"` in ~/.bashrc.',
    "",
    "# The values of an option that takes a fixed set: _tph_values COMMAND OPTION.",
    "_tph_values() {",
    '  case "$1 $2" in',
  ];
  for (const cmd of commands) {
    for (const f of flagsOf(cmd)) {
      if (f.spec.choices === undefined) continue;
      const cases = spellings(f).map((s) => `"${plain(cmd.name)} ${plain(s)}"`).join("|");
      lines.push(`    ${cases}) echo ${list(f.spec.choices)} ;;`);
    }
  }
  lines.push(
    "  esac",
    "}",
    "",
    "_tph() {",
    '  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"',
    "  local flags='' takes='' words='' stop=0 runs=0 i w",
    "  COMPREPLY=()",
    '  if [ "$COMP_CWORD" -eq 1 ]; then',
    `    COMPREPLY=($(compgen -W ${
      list([...commands.map((c) => c.name), "-h", "--help", "-V", "--version"])
    } -- "$cur"))`,
    "    return 0",
    "  fi",
    '  case "${COMP_WORDS[1]}" in',
  );
  for (const cmd of commands) {
    const flags = flagsOf(cmd);
    const takes = flags.filter((f) => f.spec.type === "string").flatMap(spellings);
    const words = wordsOf(cmd, commands);
    lines.push(
      `    ${plain(cmd.name)})`,
      `      flags=${list(flags.flatMap(spellings))}`,
      ...(takes.length > 0 ? [`      takes=' ${takes.map(plain).join(" ")} '`] : []),
      ...(words !== null ? [`      words=${list(words)}`] : []),
      ...(cmd.words === "runs" ? ["      runs=1"] : []),
      ...(cmd.stopAtFirstPositional ? ["      stop=1"] : []),
      "      ;;",
    );
  }
  lines.push(
    "    *) return 0 ;;",
    "  esac",
    // After the first positional of `tph run`, the words are the program's: the shell's default.
    '  if [ "$stop" = 1 ]; then',
    "    i=2",
    '    while [ "$i" -lt "$COMP_CWORD" ]; do',
    '      w="${COMP_WORDS[i]}"',
    '      case "$w" in',
    "        --) return 0 ;;",
    '        -*) case "$takes" in *" $w "*) i=$((i + 1)) ;; esac ;;',
    "        *) return 0 ;;",
    "      esac",
    "      i=$((i + 1))",
    "    done",
    "  fi",
    // The value of an option: its fixed set, else the shell's default (file names).
    '  case "$takes" in',
    '    *" $prev "*)',
    '      COMPREPLY=($(compgen -W "$(_tph_values "${COMP_WORDS[1]}" "$prev")" -- "$cur"))',
    "      return 0",
    "      ;;",
    "  esac",
    '  case "$cur" in',
    '    -*) COMPREPLY=($(compgen -W "$flags" -- "$cur")) ;;',
    // A run: the stored runs' references, asked of tph in the shell's folder; files too.
    "    *)",
    `      [ "$runs" = 1 ] && words="$(${RUN_REFS})"`,
    '      [ -n "$words" ] && COMPREPLY=($(compgen -W "$words" -- "$cur"))',
    "      ;;",
    "  esac",
    "  return 0",
    "}",
    "complete -o default -F _tph tph",
  );
  return lines;
}

/** Text inside single quotes in zsh. */
function zshQuoted(text: string): string {
  return text.replaceAll("'", "'\\''");
}

/** A description inside `[…]` of an _arguments spec. */
function zshDescription(text: string): string {
  return zshQuoted(text.replaceAll("\\", "\\\\").replace(/[[\]:]/g, (c) => `\\${c}`));
}

function zshOption(f: Flag): string {
  const s = f.spec;
  const desc = `[${zshDescription(s.help)}]`;
  let value = "";
  if (s.type === "string" || s.inlineValue) {
    // The message: a colon would end it.
    const arg = zshQuoted((s.arg ?? "value").replaceAll(":", "\\:"));
    const action = s.choices
      ? `(${s.choices.map(plain).join(" ")})`
      : PATH_ARGS.has(s.arg ?? "")
      ? (s.arg === "DIR" ? "_files -/" : "_files")
      : " ";
    value = `:${arg}:${action}`;
  }
  // `--timing[=RATIO]`: the value, if any, in the same word.
  const long = `--${plain(f.name)}${s.inlineValue ? "=-" : ""}`;
  const repeat = s.multiple ? "*" : "";
  if (s.short) {
    const both = `-${plain(s.short)} --${plain(f.name)}`;
    return `'${repeat ? "*" : `(${both})`}'{-${s.short},${long}}'${desc}${value}'`;
  }
  return `'${repeat}${long}${desc}${value}'`;
}

function zshScript(commands: readonly Command[]): string[] {
  const lines = [
    "#compdef tph",
    "# zsh completion for tph: save as _tph in a folder of $fpath, or put",
    "# `source <(tph completion zsh)` in ~/.zshrc after compinit.",
    "# A run: last, a stored run's id, or a run file.",
    "_tph_runs() {",
    "  local -a runs",
    `  runs=(\${(f)"$(${RUN_REFS})"})`,
    "  compadd -a runs",
    "  _files",
    "}",
    "_tph() {",
    "  local -a commands",
    "  commands=(",
    ...commands.map((c) => `    '${plain(c.name)}:${zshQuoted(c.summary)}'`),
    "  )",
    "  if (( CURRENT == 2 )); then",
    "    _describe -t commands 'tph command' commands",
    "    return",
    "  fi",
    "  local cmd=$words[2]",
    "  shift words",
    "  (( CURRENT-- ))",
    "  case $cmd in",
  ];
  for (const cmd of commands) {
    const words = wordsOf(cmd, commands);
    const rest = cmd.stopAtFirstPositional
      ? "'*::argument:_files'"
      : words !== null
      ? `'1:${cmd.words === "commands" ? "command" : "word"}:(${words.map(plain).join(" ")})'`
      : cmd.words === "runs"
      ? "'*:run:_tph_runs'"
      : cmd.positionals[1] > 0
      ? "'*:file:_files'"
      : null;
    const specs = [...flagsOf(cmd).map(zshOption), ...(rest === null ? [] : [rest])];
    lines.push(
      `    (${plain(cmd.name)})`,
      `      _arguments -s -S \\`,
      ...specs.map((s, i) => `        ${s}${i < specs.length - 1 ? " \\" : ""}`),
      "      ;;",
    );
  }
  lines.push(
    "  esac",
    "}",
    'if [[ "$zsh_eval_context[-1]" == loadautofunc ]]; then',
    '  _tph "$@"',
    "else",
    "  compdef _tph tph",
    "fi",
  );
  return lines;
}

/** Text inside single quotes in fish. */
function fishQuoted(text: string): string {
  return `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

function fishScript(commands: readonly Command[]): string[] {
  const lines = [
    "# fish completion for tph: save as ~/.config/fish/completions/tph.fish, or run",
    "# `tph completion fish | source`.",
    "complete -c tph -f",
    "complete -c tph -n __fish_use_subcommand -s h -l help -d 'show help'",
    "complete -c tph -n __fish_use_subcommand -s V -l version -d 'show the version'",
    ...commands.map((c) =>
      `complete -c tph -n __fish_use_subcommand -a ${plain(c.name)} -d ${fishQuoted(c.summary)}`
    ),
  ];
  for (const cmd of commands) {
    const when = `-n '__fish_seen_subcommand_from ${plain(cmd.name)}'`;
    for (const f of flagsOf(cmd)) {
      const s = f.spec;
      const parts = [`complete -c tph ${when}`];
      if (s.short) parts.push(`-s ${plain(s.short)}`);
      parts.push(`-l ${plain(f.name)}`);
      if (s.type === "string") {
        if (s.choices) parts.push(`-x -a ${fishQuoted(s.choices.join(" "))}`);
        else if (PATH_ARGS.has(s.arg ?? "")) parts.push("-r -F");
        else parts.push("-x");
      }
      parts.push(`-d ${fishQuoted(s.help)}`);
      lines.push(parts.join(" "));
    }
    const words = wordsOf(cmd, commands);
    if (words !== null) {
      lines.push(`complete -c tph ${when} -a ${fishQuoted(words.join(" "))}`);
    } else if (cmd.words === "runs") {
      lines.push(`complete -c tph ${when} -F -a ${fishQuoted(`(${RUN_REFS})`)}`);
    } else if (cmd.positionals[1] > 0) lines.push(`complete -c tph ${when} -F`);
  }
  return lines;
}
