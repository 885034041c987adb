// `tph diff`'s text: only the paths that lead to differences, drawn as `tph tree` draws calls, with
// a mark in the first column — `+` only in B, `-` only in A, `~` changed (each differing field as
// `before → after`) — `context` unchanged calls around each difference, longer unchanged runs
// folded into one line, and a closing summary line.

import { formatDuration, labelValue } from "../../render/tree.ts";
import { safeText } from "../../render/safe_text.ts";
import type { CallTable, DiffCall } from "./call_table.ts";
import type { DiffEntry, RunDiff } from "./diff_runs.ts";

const ANSI = {
  red: "\x1b[31m",
  green: "\x1b[32m",
  yellow: "\x1b[33m",
  dim: "\x1b[2m",
  off: "\x1b[0m",
};

/** Options of {@linkcode renderDiff}. */
export interface RenderDiffOptions {
  /** Unchanged calls shown before and after each difference. */
  context: number;
  color: boolean;
  style: "ascii" | "unicode";
}

/** `1,234`. */
export const count = (n: number): string => n.toLocaleString("en-US");

/** The closing line: `3 changed, 1 added, 0 removed; 9,812 calls the same`. */
export function summaryLine(d: RunDiff): string {
  const s = d.summary;
  return `${count(s.changed)} changed, ${count(s.added)} added, ${count(s.removed)} removed; ` +
    `${count(s.same)} call${s.same === 1 ? "" : "s"} the same`;
}

/** A call's label, as `tph tree` shows it (without its time). */
function label(c: DiffCall): string {
  const args = Object.keys(c.args).map((k) => (c.external ? "" : `${k}=`) + c.args[k]).join(", ");
  let text = `${safeText(c.name)}(${labelValue(args)})`;
  if (c.exception !== undefined) text += ` !! ${labelValue(c.exception)}`;
  else if (c.return_value !== null && !c.unfinished) text += ` -> ${labelValue(c.return_value)}`;
  if (c.unfinished) text += " [unfinished]";
  return text;
}

/** A changed call's label: each differing part as `before → after`. */
function changedLabel(a: DiffCall, b: DiffCall, fields: string[]): string {
  const v = (x: string | null | undefined) => labelValue(x ?? "");
  const arrow = (x: string, y: string) => x === y ? y : `${x} → ${y}`;
  let args: string;
  if (fields.includes("args")) {
    const keys = [...new Set([...Object.keys(a.args), ...Object.keys(b.args)])];
    args = keys.map((k) => {
      const x = Object.hasOwn(a.args, k) ? v(a.args[k]) : "(none)";
      const y = Object.hasOwn(b.args, k) ? v(b.args[k]) : "(none)";
      return (b.external ? "" : `${safeText(k)}=`) + arrow(x, y);
    }).join(", ");
  } else {
    args = Object.keys(b.args).map((k) => (b.external ? "" : `${safeText(k)}=`) + v(b.args[k]))
      .join(", ");
  }
  let text = `${safeText(b.name)}(${args})`;
  const outcome = (c: DiffCall) =>
    c.unfinished
      ? "[unfinished]"
      : c.exception !== undefined
      ? `!! ${v(c.exception)}`
      : `-> ${v(c.return_value)}`;
  const oa = outcome(a), ob = outcome(b);
  if (oa !== ob) {
    text += oa.startsWith("->") && ob.startsWith("->")
      ? ` -> ${v(a.return_value)} → ${v(b.return_value)}`
      : ` ${oa} → ${ob}`;
  } else if (!b.unfinished) text += ` ${ob}`;
  if (fields.includes("kind")) text += ` [kind ${a.kind} → ${b.kind}]`;
  if (fields.includes("limits")) {
    const cut = (c: DiffCall) =>
      c.unfinished ? "unfinished" : (c.dropped ?? 0) > 0 ? `${c.dropped} left out below` : "whole";
    text += ` [limits: ${cut(a)} → ${cut(b)}]`;
  }
  if (fields.includes("elapsed_ms")) {
    text += ` [${formatDuration(a.elapsed_ms ?? 0)} → ${formatDuration(b.elapsed_ms ?? 0)}]`;
  }
  return text;
}

/**
 * The diff as text: one line a shown call, then the summary line.
 *
 * @param d The diff.
 * @param a The first run's calls.
 * @param b The second's.
 * @param o Context, colours, connectors.
 */
export function renderDiff(d: RunDiff, a: CallTable, b: CallTable, o: RenderDiffOptions): string[] {
  const pen: Pen = {
    a,
    b,
    c: o.style === "ascii"
      ? { mid: "|-- ", last: "`-- ", bar: "|   ", gap: "    " }
      : { mid: "├── ", last: "└── ", bar: "│   ", gap: "    " },
    paint: (code: string, text: string) => o.color ? code + text + ANSI.off : text,
  };
  const paint = pen.paint;
  const lines: string[] = [];
  const calls = (e: DiffEntry) => e.a >= 0 ? a.desc[e.a] + 1 : b.desc[e.b] + 1;
  // Lines are made depth first: a list's lines, each followed by those of its children.
  const draw = (list: DiffEntry[], prefix: string) =>
    rowsOf(itemsOf(list, o.context, calls), prefix, pen);
  // Depth first without recursion.
  const pending: Row[] = draw(d.roots, "").reverse();
  while (pending.length > 0) {
    const [mark, text, open, inner] = pending.pop()!;
    const m = mark === "+"
      ? paint(ANSI.green, "+")
      : mark === "-"
      ? paint(ANSI.red, "-")
      : mark === "~"
      ? paint(ANSI.yellow, "~")
      : " ";
    lines.push(`${m} ${text}`);
    if (open !== null && open.children !== null) {
      const kids = draw(open.children, inner);
      for (let k = kids.length - 1; k >= 0; k--) pending.push(kids[k]);
    }
  }
  lines.push(summaryLine(d));
  return lines;
}

/** What draws the lines: both runs' calls, the connectors, colour or none. */
interface Pen {
  a: CallTable;
  b: CallTable;
  c: { mid: string; last: string; bar: string; gap: string };
  paint: (code: string, text: string) => string;
}

/** A shown call, or a fold of calls (unchanged, or a long run of calls only in A or in B). */
type Item = { entry: DiffEntry } | { fold: number; op?: "added" | "removed" };

/** A line to draw: its mark, its text, the entry whose children follow it, their prefix. */
type Row = [string, string, DiffEntry | null, string];

/**
 * What is shown of a list: differences, and `context` calls around each; the rest folds.
 *
 * @param calls How many calls an entry stands for, its own and those below it.
 */
function itemsOf(list: DiffEntry[], context: number, calls: (e: DiffEntry) => number): Item[] {
  const shown = new Uint8Array(list.length);
  list.forEach((e, k) => {
    if (!e.differs) return;
    for (let x = Math.max(0, k - context); x <= Math.min(list.length - 1, k + context); x++) {
      shown[x] = 1;
    }
  });
  const items: Item[] = [];
  // A long run of calls only in A (or only in B): its first and last calls, the rest counted.
  const keep = Math.max(1, context);
  for (let k = 0; k < list.length; k++) {
    const op = list[k].op;
    if (shown[k] && (op === "added" || op === "removed")) {
      let end = k;
      while (end + 1 < list.length && list[end + 1].op === op) end++;
      if (end - k + 1 > 2 * keep + 1) {
        for (let x = k; x < k + keep; x++) items.push({ entry: list[x] });
        let n = 0;
        for (let x = k + keep; x < end; x++) n += calls(list[x]);
        items.push({ fold: n, op });
        items.push({ entry: list[end] });
        k = end;
        continue;
      }
    }
    if (shown[k]) {
      items.push({ entry: list[k] });
      continue;
    }
    let n = 0;
    for (; k < list.length && !shown[k]; k++) n += calls(list[k]);
    k--;
    items.push({ fold: n });
  }
  return items;
}

/** A list's items as lines under `prefix`, marked `+`, `-`, `~` or not at all. */
function rowsOf(items: Item[], prefix: string, pen: Pen): Row[] {
  const { a, b, c, paint } = pen;
  const below = (n: number) =>
    n > 0 ? paint(ANSI.dim, `  (${count(n)} call${n === 1 ? "" : "s"} below)`) : "";
  const out: Row[] = [];
  items.forEach((item, k) => {
    const last = k === items.length - 1;
    const lead = prefix + (last ? c.last : c.mid);
    const inner = prefix + (last ? c.gap : c.bar);
    if ("fold" in item) {
      const plural = item.fold === 1 ? "" : "s";
      const text = item.op === undefined
        ? `… ${count(item.fold)} unchanged call${plural}`
        : `… ${count(item.fold)} more call${plural} only in ${item.op === "added" ? "B" : "A"}`;
      const mark = item.op === "added" ? "+" : item.op === "removed" ? "-" : " ";
      out.push([mark, lead + paint(ANSI.dim, text), null, inner]);
      return;
    }
    const e = item.entry;
    if (e.op === "added") {
      out.push([
        "+",
        lead + paint(ANSI.green, label(b.call(e.b))) + below(b.desc[e.b]),
        null,
        inner,
      ]);
    } else if (e.op === "removed") {
      out.push([
        "-",
        lead + paint(ANSI.red, label(a.call(e.a))) + below(a.desc[e.a]),
        null,
        inner,
      ]);
    } else if (e.op === "pair" && e.fields.length > 0) {
      const text = changedLabel(a.call(e.a), b.call(e.b), e.fields);
      out.push(["~", lead + paint(ANSI.yellow, text), e.differs ? e : null, inner]);
    } else {
      out.push([" ", lead + label(b.call(e.b)), e.differs ? e : null, inner]);
    }
  });
  return out;
}
