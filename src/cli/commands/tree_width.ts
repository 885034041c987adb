import { terminalColumns } from "../../platform/process.ts";
import type { Context } from "./command.ts";

/** `--wide`: the option of the commands that draw trees. */
export const WIDE_OPTION = {
  type: "boolean",
  help: "on a terminal too, draw each call's whole line (values not cut to the width)",
} as const;

/**
 * The width a tree is fitted to: the terminal's (`COLUMNS` when set) when the tree goes to one and
 * `--wide` is not given; undefined (full lines) otherwise, as for a pipe or a file.
 *
 * @param ctx The command's context (its `COLUMNS`, its `--wide`).
 * @param terminal Whether the tree's stream is a terminal.
 * @returns The columns, or undefined.
 */
export function treeWidth(
  ctx: Pick<Context, "env"> & { values: { wide?: boolean } },
  terminal: boolean,
): number | undefined {
  if (!terminal || ctx.values.wide) return undefined;
  const set = Number(ctx.env?.COLUMNS ?? "");
  if (Number.isInteger(set) && set > 0) return set;
  return terminalColumns() ?? undefined;
}
