/**
 * A word as a POSIX shell reads it back: unchanged when it holds only characters no shell treats
 * specially (`run_1.json`, `.tracepatch_cache/run_1.json`), else in single quotes, a `'` inside
 * written as `'\''`. A word that starts with `-` gets `./` in front, so a command does not take it
 * for an option.
 *
 * @param word A path or argument (non-empty).
 * @returns Text to paste into a shell.
 *
 * @example
 * ```ts
 * import { shellWord } from "./src/cli/commands/shell_word.ts";
 * console.log(shellWord("../my cache/run_1.json")); // '../my cache/run_1.json'
 * console.log(shellWord("it's.json")); // 'it'\''s.json'
 * ```
 */
export function shellWord(word: string): string {
  const w = word.startsWith("-") ? `./${word}` : word;
  if (/^[A-Za-z0-9_./:@%+,=-]+$/.test(w)) return w;
  return `'${w.replaceAll("'", `'\\''`)}'`;
}
