const UNIT_MS: Record<string, number> = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/**
 * A duration such as `30d`, `12h`, `90m` or `2w` in ms: a positive whole number and one unit, `m`
 * (minutes), `h`, `d` or `w`, nothing else (no spaces, signs, fractions or months).
 *
 * @param text The text.
 * @returns The duration in ms, or null when the text is not one.
 *
 * @example
 * ```ts
 * import { parseDuration } from "./src/cli/commands/duration.ts";
 * console.log(parseDuration("12h")); // 43200000
 * console.log(parseDuration("1.5d")); // null
 * ```
 */
export function parseDuration(text: string): number | null {
  const m = /^([1-9][0-9]{0,8})([mhdw])$/.exec(text);
  return m === null ? null : Number(m[1]) * UNIT_MS[m[2]];
}
