// Text that came from the program, its configuration or a file name, made safe to print on a
// terminal: control characters (C0, DEL, C1, which start escape sequences that clear the screen,
// set the window title or worse), line and paragraph separators, and the bidirectional overrides
// and isolates (which reorder what a line appears to say) are written as escapes. Only tph's own
// colours reach a terminal raw.

// C0 but tab, DEL, C1; U+2028/U+2029; bidi embeddings, overrides and isolates.
import { RegExp } from "../platform/globals.ts";
// deno-lint-ignore no-control-regex
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r" };

/**
 * `text` with every character that could drive a terminal or reorder a line shown as an escape
 * (`\n`, `\r`, `\u001b`, `\u202e`…).
 *
 * @param text Text to print.
 * @returns The same text when it has no such character.
 *
 * @example
 * ```ts
 * import { safeText } from "./src/render/safe_text.ts";
 * safeText("a\u001b[2Jb"); // "a\\u001b[2Jb"
 * ```
 */
export function safeText(text: string): string {
  return escapeAll(text, UNSAFE);
}

/** `text` with every match of `re` (one character each) written as an escape. */
function escapeAll(text: string, re: RegExp): string {
  re.lastIndex = 0;
  if (!re.test(text)) return text;
  return text.replace(
    re,
    (ch) => NAMED[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

// As UNSAFE, less the line break and the ESC of a colour (SGR) sequence, which tph writes itself.
const UNSAFE_OUTPUT =
  // deno-lint-ignore no-control-regex
  /\u001b(?!\[[0-9;]*m)|[\u0000-\u0008\u000b-\u001a\u001c-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * What tph prints, as a last guard: {@linkcode safeText}'s escapes for everything but line
 * breaks and colour sequences. Texts from the program are escaped where they are formatted; this
 * catches what a message quotes (a file name, an argument).
 *
 * @param text Lines to print.
 * @returns The same text when it has nothing unsafe.
 */
export function safeOutput(text: string): string {
  return escapeAll(text, UNSAFE_OUTPUT);
}
