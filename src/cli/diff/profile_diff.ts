// `tph diff --summary`: per function, its calls and its total and self time in A and in B, and the
// change — a profile diff, sorted by the largest change of total time. A function's total time
// counts only its outermost calls (a recursive call's time is in its caller's already); its self
// time is its calls' time less the time of the calls they made and the time they spent awaiting
// (each only once: the calls awaited run while it waits).

import type { CallTable, Identities } from "./call_table.ts";

/** One function's figures in one run (µs). */
export interface Profile {
  calls: number;
  total: number;
  self: number;
}

/** One line of the profile diff. */
export interface ProfileLine {
  name: string;
  module: string;
  a: Profile;
  b: Profile;
}

function profile(t: CallTable): Map<number, Profile> {
  const out = new Map<number, Profile>();
  // The open calls (their subtree's end) and, per function, how many of them are open.
  const ends: number[] = [];
  const keys: number[] = [];
  const open = new Map<number, number>();
  for (let i = 0; i < t.n; i++) {
    while (ends.length > 0 && ends[ends.length - 1] < i) {
      ends.pop();
      const k = keys.pop()!;
      open.set(k, open.get(k)! - 1);
    }
    const key = t.key[i];
    let p = out.get(key);
    if (p === undefined) out.set(key, p = { calls: 0, total: 0, self: 0 });
    p.calls++;
    const e = Math.max(0, t.elapsed[i]);
    if ((open.get(key) ?? 0) === 0) p.total += e;
    let inner = 0;
    const end = i + t.desc[i];
    for (let j = i + 1; j <= end; j += t.desc[j] + 1) inner += Math.max(0, t.elapsed[j]);
    p.self += Math.max(0, e - Math.max(inner, t.awaited[i]));
    ends.push(end);
    keys.push(key);
    open.set(key, (open.get(key) ?? 0) + 1);
  }
  return out;
}

/**
 * The profile diff of two runs, largest change of total time first.
 *
 * @param a The first run's calls.
 * @param b The second's, numbered with the same identities.
 * @param ids The identities, for the names.
 */
export function profileDiff(a: CallTable, b: CallTable, ids: Identities): ProfileLine[] {
  const pa = profile(a), pb = profile(b);
  const none: Profile = { calls: 0, total: 0, self: 0 };
  const keys = new Set([...pa.keys(), ...pb.keys()]);
  const lines = [...keys].map((k) => {
    const [name, module] = ids.of(k);
    return { name, module, a: pa.get(k) ?? none, b: pb.get(k) ?? none };
  });
  const change = (l: ProfileLine) => Math.abs(l.b.total - l.a.total);
  return lines.sort((x, y) =>
    change(y) - change(x) || (y.b.calls - y.a.calls) - (x.b.calls - x.a.calls) ||
    (x.name < y.name ? -1 : x.name > y.name ? 1 : 0)
  );
}
