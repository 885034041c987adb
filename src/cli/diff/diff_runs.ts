// Comparing two runs call by call (`tph diff`). The runs are matched as trees: the roots, then each
// matched call's children, aligned as sequences — first on whole identical subtrees (their hashes),
// then, in the gaps between those, on identity (qualified name + module) — so one call inserted
// does not mark everything after it as changed. A pair of identical subtrees is not walked.

import { nameMatches } from "../../run_file/call_records.ts";
import { align } from "./align.ts";
import { type CallTable, DEPTH_CUT, type DiffCall, IGNORED, maskValue } from "./call_table.ts";

/** Options of {@linkcode diffRuns}. */
export interface DiffOptions {
  ignoreArgs: boolean;
  ignoreReturn: boolean;
  ignoreValues: RegExp | null;
  exact: boolean;
  /** Only differences at or under calls whose name contains this. */
  filter: string | null;
  /** Match siblings regardless of their order. */
  unordered: boolean;
  /** Slower or faster calls count as changed: by this ratio and at least `minMs`. */
  timing: { ratio: number; minMs: number } | null;
}

/** One line of a diff's tree: a call in A, in B, or in both. */
export interface DiffEntry {
  /** same: identical subtrees; pair: matched calls whose subtrees differ (or are walked). */
  op: "same" | "pair" | "added" | "removed";
  /** The call in A and in B (-1: none). */
  a: number;
  b: number;
  /** The fields of the call that differ (pair only). */
  fields: string[];
  /** The children's entries (a pair whose children were compared), else null. */
  children: DiffEntry[] | null;
  /** Whether a difference is shown at it or below it. */
  differs: boolean;
  /** Whether the filter takes it in (it or a caller matches). */
  inScope: boolean;
}

/** Calls counted by what happened to them. */
export interface DiffSummary {
  changed: number;
  added: number;
  removed: number;
  same: number;
}

/** What {@linkcode diffRuns} finds. */
export interface RunDiff {
  roots: DiffEntry[];
  summary: DiffSummary;
  /** Whether the filter took any call in (true without a filter). */
  anyInScope: boolean;
}

/**
 * Whether `brief` is the summary a run past its detail budget shows for the object that `full`
 * describes (`Token {…}` for `Token { kind: "a" }`, `{…}` for `{ a: 1 }`, `Array(2)` for `[1, 2]`,
 * `Map(1) {…}` for `Map(1) { 1 => 2 }`): the same value, as far as both runs tell.
 *
 * @param brief A value as one run stored it.
 * @param full The value as the other stored it.
 */
export function summaryOf(brief: string, full: string): boolean {
  if (brief === "{…}") return full.startsWith("{");
  if (brief.endsWith(" {…}")) return full.startsWith(brief.slice(0, -2));
  const counted = /^(.*)\((\d+)\)$/.exec(brief);
  if (counted === null) return false;
  return counted[1] === "Array"
    ? full.startsWith("[")
    : full.startsWith(`${counted[1]}(${counted[2]}) [`);
}

/** Two values alike: equal, or one the other's summary (when `o.exact` is not set). */
function alike(
  x: string | null | undefined,
  y: string | null | undefined,
  o: DiffOptions,
): boolean {
  if (x === y) return true;
  if (typeof x !== "string" || typeof y !== "string" || o.exact) return false;
  return summaryOf(x, y) || summaryOf(y, x);
}

/** The fields of two matched calls that differ. */
export function differingFields(a: DiffCall, b: DiffCall, o: DiffOptions): string[] {
  const fields: string[] = [];
  const mask = (v: string | null | undefined) =>
    v === null || v === undefined ? v : maskValue(v, o);
  if ((a.kind ?? "function") !== (b.kind ?? "function")) fields.push("kind");
  if (!o.ignoreArgs) {
    const ka = Object.keys(a.args), kb = Object.keys(b.args);
    if (
      ka.length !== kb.length ||
      ka.some((k, i) => k !== kb[i] || !alike(mask(a.args[k]), mask(b.args[k]), o))
    ) {
      fields.push("args");
    }
  }
  if (!o.ignoreReturn && !alike(mask(a.return_value), mask(b.return_value), o)) {
    fields.push("return_value");
  }
  if (mask(a.exception) !== mask(b.exception)) fields.push("exception");
  if ((a.dropped ?? 0) > 0 !== (b.dropped ?? 0) > 0 || !!a.unfinished !== !!b.unfinished) {
    fields.push("limits");
  }
  return fields;
}

/** Whether two calls' values differ, if at all, only as summaries of each other. */
function onlySummaries(a: DiffCall, b: DiffCall): boolean {
  const ka = Object.keys(a.args), kb = Object.keys(b.args);
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return false;
  const pairs: [unknown, unknown][] = ka.map((k) => [a.args[k], b.args[k]]);
  pairs.push([a.return_value, b.return_value]);
  return pairs.some(([x, y]) =>
    x !== y && typeof x === "string" && typeof y === "string" &&
    (summaryOf(x, y) || summaryOf(y, x))
  );
}

/** A diff entry, before scope and counts. */
function newEntry(op: DiffEntry["op"], a: number, b: number): DiffEntry {
  return { op, a, b, fields: [], children: null, differs: false, inScope: false };
}

/** Lists of sibling calls, to align into entries: `pair` adds a matched pair. */
interface Siblings {
  a: CallTable;
  b: CallTable;
  la: number[];
  lb: number[];
  out: DiffEntry[];
  pair(i: number, j: number): void;
}

/** Siblings matched regardless of order: identical subtrees first, then by identity, each in order of appearance in B. */
function alignUnordered({ a, b, la, lb, out, pair }: Siblings): void {
  const taken = new Uint8Array(la.length);
  const byHash = new Map<string, number[]>(), byKey = new Map<number, number[]>();
  const hashOf = (t: CallTable, i: number) => `${t.sub1[i]},${t.sub2[i]},${t.key[i]}`;
  la.forEach((i, k) => {
    const h = hashOf(a, i);
    (byHash.get(h) ?? byHash.set(h, []).get(h)!).push(k);
    (byKey.get(a.key[i]) ?? byKey.set(a.key[i], []).get(a.key[i])!).push(k);
  });
  // Where each list's first call not yet taken may be: lists are read from the front once.
  const cursor = new Map<number[], number>();
  const claim = (list: number[] | undefined): number => {
    if (list === undefined) return -1;
    let at = cursor.get(list) ?? 0;
    while (at < list.length && taken[list[at]]) at++;
    cursor.set(list, at + 1);
    if (at >= list.length) return -1;
    taken[list[at]] = 1;
    return list[at];
  };
  const partner = new Int32Array(lb.length).fill(-1);
  lb.forEach((j, k) => partner[k] = claim(byHash.get(hashOf(b, j))));
  lb.forEach((j, k) => {
    if (partner[k] < 0) partner[k] = claim(byKey.get(b.key[j]));
  });
  lb.forEach((j, k) =>
    partner[k] >= 0 ? pair(la[partner[k]], j) : out.push(newEntry("added", -1, j))
  );
  la.forEach((i, k) => {
    if (!taken[k]) out.push(newEntry("removed", i, -1));
  });
}

/** Siblings in order: whole identical subtrees as anchors, and between them, pairs by identity. */
function alignOrdered({ a, b, la, lb, out, pair }: Siblings): void {
  const anchors = align(
    la.length,
    lb.length,
    (x, y) => a.key[la[x]] === b.key[lb[y]] && a.sameSubtree(la[x], b, lb[y]),
    null,
  );
  let x = 0, y = 0;
  const gap = (toX: number, toY: number) => {
    // Between two anchors: pair by identity.
    const ga = la.slice(x, toX), gb = lb.slice(y, toY);
    const pairs = align(
      ga.length,
      gb.length,
      (p, q) => a.key[ga[p]] === b.key[gb[q]],
      (side, k) => side === 0 ? a.key[ga[k]] : b.key[gb[k]],
    );
    let p = 0, q = 0;
    for (let k = 0; k <= pairs.length; k += 2) {
      const toP = k < pairs.length ? pairs[k] : ga.length;
      const toQ = k < pairs.length ? pairs[k + 1] : gb.length;
      for (; p < toP; p++) out.push(newEntry("removed", ga[p], -1));
      for (; q < toQ; q++) out.push(newEntry("added", -1, gb[q]));
      if (k < pairs.length) pair(ga[p++], gb[q++]);
    }
  };
  for (let k = 0; k < anchors.length; k += 2) {
    gap(anchors[k], anchors[k + 1]);
    pair(la[anchors[k]], lb[anchors[k + 1]]);
    x = anchors[k] + 1;
    y = anchors[k + 1] + 1;
  }
  gap(la.length, lb.length);
}

/**
 * Compare two runs.
 *
 * @param a The first run's calls.
 * @param b The second's (numbered with the same Identities).
 * @param o What to compare.
 */
export function diffRuns(a: CallTable, b: CallTable, o: DiffOptions): RunDiff {
  const timing = o.timing;
  /** Entries for two lists of sibling calls. */
  const alignLists = (la: number[], lb: number[]): DiffEntry[] => {
    const out: DiffEntry[] = [];
    const pair = (i: number, j: number) =>
      out.push(newEntry(timing === null && a.sameSubtree(i, b, j) ? "same" : "pair", i, j));
    (o.unordered ? alignUnordered : alignOrdered)({ a, b, la, lb, out, pair });
    return out;
  };
  const roots = alignLists(a.roots(), b.roots());
  // Pairs whose calls and children are still to compare.
  const work: DiffEntry[] = [];
  const pushPairs = (list: DiffEntry[]) => {
    for (const e of list) if (e.op === "pair") work.push(e);
  };
  pushPairs(roots);
  while (work.length > 0) {
    const e = work.pop()!;
    const i = e.a, j = e.b;
    if (!a.sameCall(i, b, j)) {
      const ca = a.call(i), cb = b.call(j);
      e.fields = differingFields(ca, cb, o);
      // Hashed differently, yet no field tells: the parameters' names moved (unless a value
      // differs only as one run's summary of the other's: the two runs' budgets cut elsewhere).
      if (e.fields.length === 0 && !onlySummaries(ca, cb)) e.fields.push("args");
    }
    if (timing !== null && slower(a.elapsed[i], b.elapsed[j], timing)) e.fields.push("elapsed_ms");
    const cut = ((a.flags[i] | b.flags[j]) & (IGNORED | DEPTH_CUT)) !== 0;
    if (!cut) {
      e.children = alignLists(a.children(i), b.children(j));
      pushPairs(e.children);
    }
  }
  const summary = { changed: 0, added: 0, removed: 0, same: 0 };
  const anyInScope = settle(roots, a, b, o.filter, summary);
  return { roots, summary, anyInScope };
}

/** Whether two times differ by the ratio and the least difference asked. */
function slower(ea: number, eb: number, t: { ratio: number; minMs: number }): boolean {
  if (ea < 0 || eb < 0) return false;
  const lo = Math.min(ea, eb), hi = Math.max(ea, eb);
  return hi - lo >= t.minMs * 1000 && hi >= lo * t.ratio;
}

/**
 * Scope, counts and `differs`, in post-order (iteratively: trees can be deep). Outside the
 * filter's scope, only the calls under matching calls count.
 *
 * The filter's rule is the one tree and export apply (nameMatches), but what it takes in differs
 * on purpose: a diff counts the differences at or under a matching call (in A or in B), and not
 * those of the calls leading to it, which tree and export keep as the way to the match.
 *
 * @returns Whether the filter took any call in.
 */
function settle(
  roots: DiffEntry[],
  a: CallTable,
  b: CallTable,
  filter: string | null,
  s: DiffSummary,
): boolean {
  const matches = (e: DiffEntry) =>
    filter === null ||
    (e.a >= 0 && nameMatches(a.name(e.a), filter)) ||
    (e.b >= 0 && nameMatches(b.name(e.b), filter));
  // Calls of a subtree under (or at) a call whose name matches.
  let any = filter === null;
  const countIn = (t: CallTable, i: number, inScope: boolean): number => {
    if (inScope || filter === null) return t.desc[i] + 1;
    let n = 0;
    const end = i + t.desc[i];
    for (let k = i; k <= end;) {
      if (nameMatches(t.name(k), filter)) {
        any = true;
        n += t.desc[k] + 1;
        k += t.desc[k] + 1;
      } else k++;
    }
    return n;
  };
  const stack: [DiffEntry, boolean, boolean][] = roots.map((e) => [e, false, false]);
  const post: DiffEntry[] = [];
  while (stack.length > 0) {
    const [e, parentInScope] = stack.pop()!;
    e.inScope = parentInScope || matches(e);
    if (e.inScope) any = true;
    if (e.op === "same") s.same += countIn(a, e.a, e.inScope);
    else if (e.op === "added") {
      const n = countIn(b, e.b, e.inScope);
      s.added += n;
      e.differs = n > 0;
    } else if (e.op === "removed") {
      const n = countIn(a, e.a, e.inScope);
      s.removed += n;
      e.differs = n > 0;
    } else {
      if (!e.inScope) e.fields = [];
      if (e.fields.length > 0) s.changed++;
      else if (e.inScope) s.same++;
      e.differs = e.fields.length > 0;
      if (e.children === null) {
        // Not compared below (ignored, or past --max-depth): the same, as far as this diff goes.
        if (a.desc[e.a] > 0) s.same += countIn(a, e.a, e.inScope) - (e.inScope ? 1 : 0);
      } else {
        post.push(e);
        for (const c of e.children) stack.push([c, e.inScope, false]);
      }
    }
  }
  // Children before parents: post holds parents before their children.
  for (let k = post.length - 1; k >= 0; k--) {
    const e = post[k];
    if (e.children!.some((c) => c.differs)) e.differs = true;
  }
  return any;
}
