// tph's command-line parser, the one both the CLI and `tph run`'s head start use (the head start
// finds the script before the rest of tph loads: nothing is imported here). It reads a command
// line as node:util's parseArgs does in its lenient mode (tokens in the same order, short option
// groups, `-ovalue`, `--name=value`, a string option taking the next argument whatever it is),
// and reports what is wrong as data for the CLI to word; tests/cli/commands/argv_test.ts holds it to
// parseArgs on Deno and Bun.

/** An option of a command, for parsing and for `tph help`. */
export interface OptionSpec {
  /** `string` options take a value; `boolean` ones do not. */
  type: "string" | "boolean";
  /** One-letter alias, without the dash. */
  short?: string;
  /** May be given more than once; the values are collected in a list. */
  multiple?: boolean;
  /**
   * A boolean option that may also be given a value inline (`--timing=3`): its value is then
   * that text, else true. parseArgs has no such option; help shows it as `--timing[=ARG]`.
   */
  inlineValue?: boolean;
  /** Placeholder of the value in help, e.g. `N` or `DIR`. */
  arg?: string;
  /** One line for `tph help`. */
  help: string;
  /**
   * The values it takes, when they are a fixed set (export formats, connector styles): shell
   * completion offers them. The command checks the value itself, with its own message.
   */
  choices?: readonly string[];
}

/**
 * The value an option has in {@linkcode ParsedArgv.values} when given: a list for `multiple`,
 * the text for a string option, the text or true for a boolean one that takes an inline value,
 * else true. Of an option not known (a helper that takes any command's context): any of these.
 */
export type OptionValue<O extends OptionSpec> = OptionSpec extends O
  ? string | boolean | string[] | boolean[]
  : O extends { type: "string"; multiple: true } ? string[]
  : O extends { type: "string" } ? string
  : O extends { inlineValue: true } ? string | boolean
  : O extends { multiple: true } ? boolean[]
  : boolean;

/** The values of a command's options as their specs type them; absent options are undefined. */
export type OptionValues<T extends Record<string, OptionSpec>> = {
  -readonly [K in keyof T]?: OptionValue<T[K]>;
};

/** Every command takes `-h`/`--help`. */
export const HELP_OPTION = { type: "boolean", short: "h", help: "show this help" } as const;

/** The first thing wrong with a command line: an option that is not the command's, a string option without a value, a boolean one with one. */
export interface ArgvProblem {
  kind: "unknown" | "needs-value" | "no-value";
  /** The option as written (`--labl`, `-x`). */
  rawName: string;
}

/** A parsed command line. */
export interface ParsedArgv {
  /** Option values by long name; absent options are undefined. */
  values: Record<string, string | boolean | string[] | undefined>;
  /** Positional arguments (with `stopAtFirstPositional`: the first one and all after it). */
  positionals: string[];
  /** The first problem, in the order of the arguments, or null. */
  problem: ArgvProblem | null;
}

interface Token {
  kind: "option" | "positional" | "terminator";
  /** Where in the arguments it is. */
  index: number;
  name: string;
  rawName: string;
  value: string | undefined;
  inlineValue: boolean;
}

type Options = Record<string, OptionSpec>;

function specOf(options: Options, name: string): OptionSpec | undefined {
  return Object.hasOwn(options, name) ? options[name] : undefined;
}

/** The long name of a short option, or the letter itself when no option has it. */
function longOf(options: Options, short: string): string {
  for (const name in options) {
    if (Object.hasOwn(options, name) && options[name].short === short) {
      return name;
    }
  }
  return short;
}

function takesValue(options: Options, name: string): boolean {
  return specOf(options, name)?.type === "string";
}

/** The arguments as tokens, as parseArgs makes them. */
function tokenize(args: string[], options: Options): Token[] {
  const tokens: Token[] = [];
  const rest = [...args];
  let index = -1;
  let grouped = 0;
  const option = (name: string, rawName: string, value: string | undefined, inline: boolean) =>
    tokens.push({ kind: "option", index, name, rawName, value, inlineValue: inline });
  while (rest.length > 0) {
    const arg = rest.shift()!;
    const next = rest[0];
    if (grouped > 0) grouped--;
    else index++;
    if (arg === "--") {
      tokens.push({
        kind: "terminator",
        index,
        name: "",
        rawName: "",
        value: undefined,
        inlineValue: false,
      });
      for (const a of rest) {
        tokens.push({
          kind: "positional",
          index: ++index,
          name: "",
          rawName: "",
          value: a,
          inlineValue: false,
        });
      }
      break;
    }
    const short = arg.length >= 2 && arg[0] === "-" && arg[1] !== "-";
    if (short && arg.length === 2) {
      // `-o`: a string option takes the next argument, whatever it is.
      const name = longOf(options, arg[1]);
      const value = takesValue(options, name) && next !== undefined ? rest.shift() : undefined;
      option(name, arg, value, false);
      if (value !== undefined) index++;
      continue;
    }
    if (short && !takesValue(options, longOf(options, arg[1]))) {
      // `-abc`: each letter an option; from the first that takes a value, the rest is its value.
      const expanded: string[] = [];
      for (let i = 1; i < arg.length; i++) {
        if (!takesValue(options, longOf(options, arg[i])) || i === arg.length - 1) {
          expanded.push(`-${arg[i]}`);
        } else {
          expanded.push(`-${arg[i]}${arg.slice(i + 1)}`);
          break;
        }
      }
      rest.unshift(...expanded);
      grouped = expanded.length;
      continue;
    }
    if (short) {
      // `-ovalue`.
      option(longOf(options, arg[1]), `-${arg[1]}`, arg.slice(2), true);
      continue;
    }
    if (arg.length > 2 && arg.startsWith("--")) {
      if (arg.indexOf("=", 3) < 0) {
        const name = arg.slice(2);
        const value = takesValue(options, name) && next !== undefined ? rest.shift() : undefined;
        option(name, arg, value, false);
        if (value !== undefined) index++;
      } else {
        const eq = arg.indexOf("=");
        const name = arg.slice(2, eq);
        option(name, `--${name}`, arg.slice(eq + 1), true);
      }
      continue;
    }
    tokens.push({
      kind: "positional",
      index,
      name: "",
      rawName: "",
      value: arg,
      inlineValue: false,
    });
  }
  return tokens;
}

/** What is wrong with an option token, if anything. */
function problemOf(options: Options, t: Token): ArgvProblem | null {
  const spec = specOf(options, t.name);
  const known = spec !== undefined &&
    (t.rawName.startsWith("--") ? t.rawName === `--${t.name}` : spec.short === t.rawName[1]);
  if (!known) return { kind: "unknown", rawName: t.rawName };
  if (spec.type === "string" && t.value === undefined) {
    return { kind: "needs-value", rawName: t.rawName };
  }
  if (spec.type === "boolean" && t.inlineValue && !spec.inlineValue) {
    return { kind: "no-value", rawName: t.rawName };
  }
  return null;
}

/**
 * Parse a command's arguments against its options (`-h`/`--help` included by the caller).
 *
 * @param options The options by long name.
 * @param argv The arguments after the command's name.
 * @param stopAtFirstPositional Whether the first positional argument and all after it are left
 *   as they are (`tph run`: they are the program's).
 * @returns The values, the positionals and the first problem.
 *
 * @example
 * ```ts
 * import { parseArgv } from "./src/cli/argv.ts";
 * const p = parseArgv({ n: { type: "string", help: "" } }, ["--n", "3", "x"]);
 * console.log(p.values.n, p.positionals, p.problem); // 3 [ "x" ] null
 * ```
 */
export function parseArgv(
  options: Options,
  argv: string[],
  stopAtFirstPositional = false,
): ParsedArgv {
  let args = argv;
  let rest: string[] = [];
  if (stopAtFirstPositional) {
    const first = tokenize(argv, options).find((t) => t.kind !== "option");
    if (first !== undefined) {
      args = argv.slice(0, first.index);
      rest = argv.slice(first.kind === "terminator" ? first.index + 1 : first.index);
    }
  }
  const values: ParsedArgv["values"] = Object.create(null);
  const positionals: string[] = [];
  let problem: ArgvProblem | null = null;
  for (const t of tokenize(args, options)) {
    if (t.kind === "positional") positionals.push(t.value!);
    if (t.kind !== "option") continue;
    problem ??= problemOf(options, t);
    if (t.name === "__proto__") continue;
    const value = t.value ?? true;
    if (specOf(options, t.name)?.multiple) {
      const list = (values[t.name] ??= []) as (string | boolean)[];
      list.push(value);
    } else values[t.name] = value;
  }
  return { values, positionals: [...positionals, ...rest], problem };
}
