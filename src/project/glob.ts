// Glob patterns for include/exclude options and workspaces' member globs: `*` within a path
// segment, `**` as a whole segment across segments (elsewhere it is `*`), `?` one character but
// `/`, `{a,b}` alternatives (nested too). A pattern without a leading slash matches at any
// folder boundary, so one without a slash also matches a bare name.
//
// Patterns come from users, and paths from the program: matching must stay cheap whatever they
// are (`p*a*a*a*…*b` beside a folder named `paaaa…` takes a backtracking RegExp minutes). Paths
// are matched here without any RegExp, segment by segment, with the two-pointer wildcard
// algorithm at both levels (characters within a segment, segments under `**`): at most pattern
// × path steps. Bun's plugin filter must be a RegExp: globRegExpSource writes one that commits
// to its choices (a lookahead and a backreference make a group atomic), the same bound.

import { Map, RegExp } from "../platform/globals.ts";

/** A glob as tph compiled it: a test on paths, or why it cannot be used (then it matches none). */
export interface Glob {
  /** Whether the glob matches a path (or a bare name). */
  test: (path: string) => boolean;
  /** Why tph cannot use the glob, or null when it can. */
  problem: string | null;
  /** Each alternative of its braces: its items (see ALT). */
  alternatives: string[][];
}

// An alternative's items: a segment's pattern (`*` and `?` its only wildcards, runs of `*` one),
// GLOBSTAR (any number of whole segments, none too) or REST (a trailing `/**`: one or more
// segments, whatever they hold). Neither marker can be a segment's pattern, which has no `/`
// and no `**`.
const GLOBSTAR = "**";
const REST = "/";

/** The most alternatives a glob's braces may expand to, and the most characters they make. */
export const MAX_GLOB_ALTERNATIVES = 256;
const MAX_EXPANDED = 1 << 16;
/** The longest glob tph takes. */
export const MAX_GLOB_LENGTH = 4096;

const cache = new Map<string, Glob>();

/** The alternatives of a glob's braces, or why there are none to take (thrown as a string). */
function expandBraces(glob: string): string[] {
  let i = 0;
  let chars = 0;
  const seq = (inside: boolean): string[] => {
    let outs = [""];
    while (i < glob.length) {
      const ch = glob[i];
      if (inside && (ch === "," || ch === "}")) break;
      if (ch !== "{") {
        for (let k = 0; k < outs.length; k++) outs[k] += ch;
        chars += outs.length;
        if (chars > MAX_EXPANDED) throw `its braces expand to more than ${MAX_EXPANDED} characters`;
        i++;
        continue;
      }
      i++;
      const alts: string[] = [];
      for (;;) {
        for (const a of seq(true)) alts.push(a);
        if (i >= glob.length) throw 'a "{" is not closed';
        if (glob[i++] === "}") break;
      }
      if (outs.length * alts.length > MAX_GLOB_ALTERNATIVES) {
        throw `its braces make more than ${MAX_GLOB_ALTERNATIVES} alternatives`;
      }
      const next: string[] = [];
      for (const o of outs) for (const a of alts) next.push(o + a);
      outs = next;
    }
    return outs;
  };
  return seq(false);
}

/**
 * A glob's braces expanded: the brace-free globs it stands for (none for a glob tph cannot use).
 *
 * @param glob The pattern.
 * @returns The alternatives, in order.
 *
 * @example
 * ```ts
 * import { globAlternatives } from "./src/project/glob.ts";
 * globAlternatives("{apps,libs/*}/x"); // ["apps/x", "libs/*\/x"]
 * ```
 */
export function globAlternatives(glob: string): string[] {
  if (compileGlob(glob).problem !== null) return [];
  return expandBraces(glob);
}

/** A brace-free alternative's items. */
function altItems(alt: string): string[] {
  const parts = alt.split("/");
  // A relative glob matches at any folder boundary: any number of segments before it.
  const items: string[] = alt.startsWith("/") ? [] : [GLOBSTAR];
  parts.forEach((part, k) => {
    const item = part !== "**"
      ? part.replace(/\*+/g, "*")
      : k === parts.length - 1
      ? REST
      : GLOBSTAR;
    const last = items[items.length - 1];
    if (last === GLOBSTAR && (item === GLOBSTAR || item === REST)) items[items.length - 1] = item;
    else items.push(item);
  });
  return items;
}

/**
 * Why tph cannot use a glob, or null when it can: a `{` not closed, braces that expand to too
 * many alternatives, a glob too long.
 *
 * @param glob The pattern.
 * @returns The reason, in words, or null.
 *
 * @example
 * ```ts
 * import { globProblem } from "./src/project/glob.ts";
 * globProblem("packages/{a"); // 'a "{" is not closed'
 * ```
 */
export function globProblem(glob: string): string | null {
  return compileGlob(glob).problem;
}

/**
 * Compile a glob (cached): its test on paths, linear in the path for a given glob, and why it
 * cannot be used when it cannot (then it matches nothing).
 *
 * @param glob The pattern, e.g. `node_modules/marked/**` or `fetch*`.
 * @returns The compiled glob.
 *
 * @example
 * ```ts
 * import { compileGlob } from "./src/project/glob.ts";
 * compileGlob("src/**\/*.ts").test("/repo/src/a/b.ts"); // true
 * ```
 */
export function compileGlob(glob: string): Glob {
  const known = cache.get(glob);
  if (known !== undefined) return known;
  let alternatives: string[][] = [];
  let problem: string | null = null;
  if (glob.length > MAX_GLOB_LENGTH) problem = `it is longer than ${MAX_GLOB_LENGTH} characters`;
  else {
    try {
      alternatives = expandBraces(glob).map(altItems);
    } catch (why) {
      if (typeof why !== "string") throw why;
      problem = why;
    }
  }
  const test = (path: string): boolean => {
    for (let a = 0; a < alternatives.length; a++) {
      if (matchItems(alternatives[a], path)) return true;
    }
    return false;
  };
  const compiled: Glob = { test, problem, alternatives };
  cache.set(glob, compiled);
  return compiled;
}

/**
 * Whether one segment's pattern matches `path[from, to)` (no `/` in it): the two-pointer
 * wildcard algorithm (a `*` that fails is retried one character further, never more).
 * Built-in methods are not called: this runs while the program runs (trace_state.ts's filter).
 */
function matchSegment(pat: string, path: string, from: number, to: number): boolean {
  let p = 0;
  let i = from;
  let starP = -1;
  let starI = 0;
  while (i < to) {
    const c = pat[p];
    if (p < pat.length && c !== "*" && (c === "?" || c === path[i])) {
      p++;
      i++;
    } else if (p < pat.length && c === "*") {
      starP = p++;
      starI = i;
    } else if (starP >= 0) {
      p = starP + 1;
      i = ++starI;
    } else return false;
  }
  while (p < pat.length && pat[p] === "*") p++;
  return p === pat.length;
}

/** Where the segment starting at `from` ends: its `/` or the path's end. */
function segmentEnd(path: string, from: number): number {
  let i = from;
  while (i < path.length && path[i] !== "/") i++;
  return i;
}

/**
 * Whether an alternative's items match a whole path: the two-pointer algorithm again, over
 * segments (GLOBSTAR is the `*`): a GLOBSTAR that fails goes one segment further.
 */
function matchItems(items: string[], path: string): boolean {
  let p = 0;
  // Where the current segment starts; past the path's end when none is left.
  let s = 0;
  let starP = -1;
  let starS = 0;
  while (s <= path.length) {
    const item = items[p];
    if (p < items.length && item === REST) return true;
    if (p < items.length && item === GLOBSTAR) {
      starP = p++;
      starS = s;
      continue;
    }
    const end = segmentEnd(path, s);
    if (p < items.length && matchSegment(item, path, s, end)) {
      p++;
      s = end + 1;
    } else if (starP >= 0) {
      p = starP + 1;
      starS = segmentEnd(path, starS) + 1;
      s = starS;
    } else return false;
  }
  while (p < items.length && items[p] === GLOBSTAR) p++;
  return p === items.length;
}

/**
 * Whether a glob matches a path (or a bare name); false for a glob tph cannot use.
 *
 * @param glob The pattern.
 * @param path An absolute or relative path, `/`-separated.
 */
export function globMatches(glob: string, path: string): boolean {
  return compileGlob(glob).test(path);
}

function escapeChars(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** A fixed piece of a segment's pattern (`?` its only wildcard) as a RegExp. */
function fixedSource(piece: string): string {
  return piece.split("?").map(escapeChars).join("[^/]");
}

/** `(?=(x))\n`: x matched once, its first match taken, never tried again another way. */
function atomic(source: string, groups: { next: number }): string {
  const n = groups.next++;
  return `(?=(${source}))\\${n}`;
}

/** One segment's pattern as a RegExp: each `*` but the last takes the nearest next piece. */
function segmentSource(pat: string, groups: { next: number }): string {
  const pieces = pat.split("*");
  if (pieces.length === 1) return fixedSource(pat);
  let out = fixedSource(pieces[0]);
  for (let k = 1; k < pieces.length - 1; k++) {
    out += atomic(`[^/]*?${fixedSource(pieces[k])}`, groups);
  }
  return out + `[^/]*${fixedSource(pieces[pieces.length - 1])}`;
}

/** An alternative as a RegExp matching from the path's start. */
function altSource(items: string[], groups: { next: number }): string {
  let out = "";
  for (let k = 0; k < items.length;) {
    const item = items[k];
    if (item === REST) {
      out += "[^]*";
      k++;
      continue;
    }
    if (item !== GLOBSTAR) {
      out += segmentSource(item, groups) + (k === items.length - 1 ? "$" : "/");
      k++;
      continue;
    }
    // A GLOBSTAR and the segments up to the next one: the nearest place they match is taken
    // (what follows takes any segments in between), but at the end, where only one can.
    let end = k + 1;
    while (end < items.length && items[end] !== GLOBSTAR && items[end] !== REST) end++;
    let chunk = "";
    for (let j = k + 1; j < end; j++) {
      chunk += segmentSource(items[j], groups) + (j === items.length - 1 ? "$" : "/");
    }
    out += end === items.length ? `(?:[^/]*/)*${chunk}` : atomic(`(?:[^/]*/)*?${chunk}`, groups);
    k = end;
  }
  return out;
}

/**
 * A glob as the source of a RegExp that matches a whole path from its start (put it after `^`,
 * or at the start of a lookahead there), with no backtracking that grows beyond pattern × path
 * for each place tried. Its capture groups are numbered from `groups.next` (advanced), for
 * several to go in one RegExp. A glob tph cannot use matches nothing.
 *
 * @param glob The pattern.
 * @param groups The number of the next capture group, 1 in a RegExp of globs only.
 * @returns The source.
 */
export function globRegExpSource(glob: string, groups: { next: number } = { next: 1 }): string {
  const { alternatives, problem } = compileGlob(glob);
  if (problem !== null || alternatives.length === 0) return "(?!)";
  return `(?:${alternatives.map((a) => altSource(a, groups)).join("|")})`;
}

/**
 * Compile a glob to an anchored RegExp (see {@linkcode globRegExpSource}); a glob tph cannot use
 * matches nothing.
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
  return new RegExp("^" + globRegExpSource(glob));
}
