import type { LoadedConfig } from "../config/load_config.ts";
import { usageError } from "./errors.ts";

/** An option of a command, for parsing and for `tph help`. */
export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  /** Placeholder shown in help, e.g. `N` or `DIR`. */
  arg?: string;
  help: string;
}

/** What a command's run() gets. */
export interface Context {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  cwd: string;
  out(text: string): void;
  err(text: string): void;
  /** Colours for stdout (a terminal, NO_COLOR unset). */
  color: boolean;
  /** The configuration, loaded on first use. */
  config(): LoadedConfig;
}

/** A command: data for the parser and help, plus run() returning an exit code. */
export interface Command {
  name: string;
  summary: string;
  /** Usage line after `tph `, e.g. `tree <run> [options]`. */
  usage: string;
  options: Record<string, OptionSpec>;
  /** Positional arguments: how many at least and at most. */
  positionals: [number, number];
  /** For `run`: everything after the first positional belongs to the program. */
  stopAtFirstPositional?: boolean;
  run(ctx: Context): Promise<number> | number;
}

/**
 * A whole number from an option, or a usage error naming the option.
 *
 * @param value The option's text.
 * @param name The option, for the message.
 * @param command The command, for the hint.
 * @returns The number.
 */
export function intOption(value: unknown, name: string, command: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== "string" || !/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw usageError(`--${name} takes a whole number, got "${value}"`, command);
  }
  return n;
}
