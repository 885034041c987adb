// Glob patterns for include/exclude options: `*` within a path segment, `**` across segments,
// `?` one character, `{a,b}` alternatives. A pattern without a slash also matches a bare name.

import { Map, RegExp } from "../platform/globals.ts";
const cache = new Map<string, RegExp>();

/**
 * Compile a glob to an anchored RegExp.
 *
 * @param glob The pattern, e.g. `node_modules/marked/**` or `fetch*`.
 * @returns A RegExp matching whole strings (a leading `** /` is implied for relative globs).
 *
 * @example
 * ```ts
 * import { globToRegExp } from "./src/project/glob.ts";
 * globToRegExp("src/**\/*.ts").test("/repo/src/a/b.ts"); // true
 * ```
 */
export function globToRegExp(glob: string): RegExp {
  let re = cache.get(glob);
  if (re) return re;
  let out = "";
  let depth = 0;
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === "*") {
      if (glob[i + 1] === "*") {
        const slash = glob[i + 2] === "/";
        out += slash ? "(?:.*/)?" : ".*";
        i += slash ? 2 : 1;
      } else out += "[^/]*";
    } else if (ch === "?") out += "[^/]";
    else if (ch === "{") {
      out += "(?:";
      depth++;
    } else if (ch === "}" && depth > 0) {
      out += ")";
      depth--;
    } else if (ch === "," && depth > 0) out += "|";
    else out += ch.replace(/[.+^$()|[\]\\]/g, "\\$&");
  }
  // Relative globs match at any folder boundary, so `node_modules/x/**` matches absolute paths.
  const prefix = glob.startsWith("/") ? "^" : "(?:^|/)";
  re = new RegExp(prefix + out + "$");
  cache.set(glob, re);
  return re;
}
