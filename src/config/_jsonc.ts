// deno.json and deno.jsonc may hold comments and trailing commas; package.json may not, but
// stripping them there is harmless.

import { JSON } from "../platform/globals.ts";

/** The end of the string literal that starts at `i` (the index after its closing quote). */
function stringEnd(text: string, i: number): number {
  let j = i + 1;
  while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
  return j + 1;
}

/** Parse JSON that may contain `//` and `/* *\/` comments and trailing commas. */
export function parseJsonc(text: string): unknown {
  // Comments first (blanked, newlines kept so JSON.parse positions stay near the lines), then
  // trailing commas: a comma before a comment and a `}` is one too.
  let bare = "";
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      // Copy a string literal whole, escapes included, so `"a//b"` stays intact.
      const end = stringEnd(text, i);
      bare += text.slice(i, end);
      i = end;
    } else if (ch === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (ch === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      const body = text.slice(i, end < 0 ? text.length : end + 2);
      bare += body.replace(/[^\n]/g, " ");
      i = end < 0 ? text.length : end + 2;
    } else {
      bare += ch;
      i++;
    }
  }
  let out = "";
  i = 0;
  while (i < bare.length) {
    const ch = bare[i];
    if (ch === '"') {
      const end = stringEnd(bare, i);
      out += bare.slice(i, end);
      i = end;
      continue;
    }
    if (ch === ",") {
      let j = i + 1;
      while (j < bare.length && /\s/.test(bare[j])) j++;
      if (bare[j] === "}" || bare[j] === "]") {
        i++;
        continue;
      }
    }
    out += ch;
    i++;
  }
  return JSON.parse(out);
}
