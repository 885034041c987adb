/// <reference lib="dom" />
// tph's run viewer: the page `tph view --html` writes. It reads the run from the page's JSON
// block and shows the header, a virtualised call tree, details of the selected call, a
// per-function table and a flame chart. Recorded texts only ever go into the page as text
// (textContent), never as markup.

import { formatUs, Model, type PageData, tickStep } from "./model.ts";
import { FN_ASYNC, FN_EXTERNAL, THREW, UNFINISHED } from "../src/run_file/call_state.ts";
import { FRAME_FILE, FRAME_FLAGS, FRAME_LINE, FRAME_NAME } from "../src/run_file/page_data.ts";

const ROW = 20;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  cls?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

class Viewer {
  readonly m: Model;
  /** Whether each call's children are shown. */
  readonly expanded: Uint8Array;
  /** With a function chosen in the table: the calls shown (those on a path to one of its calls). */
  keep: Uint8Array | null = null;
  keepFrame = -1;
  /** The calls on screen as rows, in order. */
  visible: Int32Array = new Int32Array(0);
  selected = -1;
  matches: number[] = [];
  match = -1;
  readonly isMatch: Uint8Array;
  // Elements.
  readonly tree = el("div", "tree");
  readonly rows = el("div", "rows");
  readonly pool: HTMLDivElement[] = [];
  readonly details = el("div", "details");
  readonly funcs = el("div", "funcs");
  readonly search = el("input");
  readonly count = el("span", "count");
  readonly filterBar = el("div", "filter");
  readonly flame: Flame;

  readonly data: PageData;
  constructor(data: PageData, root: HTMLElement) {
    this.data = data;
    const m = this.m = new Model(data);
    this.expanded = new Uint8Array(m.n);
    this.isMatch = new Uint8Array(m.n);
    root.append(this.header(), this.note());
    const pane = el("div", "treepane");
    const bar = el("div", "bar");
    this.search.type = "search";
    this.search.placeholder = "Search names and values ( / )";
    this.search.setAttribute("aria-label", "search");
    const prev = el("button", "", "↑");
    prev.title = "previous match";
    const next = el("button", "", "↓");
    next.title = "next match";
    bar.append(this.search, this.count, prev, next);
    this.tree.tabIndex = 0;
    this.tree.setAttribute("role", "tree");
    this.tree.append(this.rows);
    pane.append(bar, this.filterBar, this.tree);
    const side = el("div", "side");
    side.append(this.details, this.funcs);
    const flameBox = el("div", "flame");
    root.append(pane, side, flameBox);
    this.flame = new Flame(this, flameBox);
    // At first: the top calls and what is below them down to a screenful.
    let shown = 0;
    for (let i = 0; i < m.n && shown < 200; i++) {
      // The nodes of the processes and workers the run started: open, their calls in view.
      if ((m.depth[i] <= 2 || m.isRun(i)) && m.hasChildren(i)) {
        this.expanded[i] = 1;
        shown += m.children(i).length;
      }
    }
    this.search.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        if (this.matches.length > 0 && this.search.value === this.lastQuery) {
          this.step(e.shiftKey ? -1 : 1);
        } else this.find(this.search.value);
      } else if (e.key === "Escape") this.tree.focus();
    });
    this.search.addEventListener("input", () => {
      if (this.search.value === "") this.find("");
    });
    prev.addEventListener("click", () => this.step(-1));
    next.addEventListener("click", () => this.step(1));
    this.tree.addEventListener("scroll", () => this.paint());
    this.tree.addEventListener("keydown", (e) => this.key(e));
    this.rows.addEventListener("click", (e) => {
      const row = (e.target as HTMLElement).closest(".row") as HTMLElement | null;
      if (row === null) return;
      const i = Number(row.dataset.i);
      if ((e.target as HTMLElement).classList.contains("tog")) this.toggle(i);
      this.select(i, false);
    });
    this.rows.addEventListener("dblclick", (e) => {
      const row = (e.target as HTMLElement).closest(".row") as HTMLElement | null;
      if (row !== null) this.toggle(Number(row.dataset.i));
    });
    document.addEventListener("keydown", (e) => {
      if (e.key === "/" && document.activeElement !== this.search) {
        e.preventDefault();
        this.search.focus();
        this.search.select();
      }
    });
    globalThis.addEventListener("resize", () => {
      this.paint();
      this.flame.draw();
    });
    this.relayout();
    this.functionTable();
    if (m.n > 0) this.select(0, true);
    else this.details.append(el("p", "", "No call was recorded."));
  }

  header(): HTMLElement {
    const meta = this.data.meta;
    const h = el("header");
    h.append(el("h1", "", meta.title));
    const facts = el("div", "facts");
    const fact = (text: string) => facts.append(el("span", "", text));
    if (meta.command !== null) fact(`command: ${meta.command}`);
    if (meta.label !== null) fact(`label: ${meta.label}`);
    if (meta.runtime !== null) fact(`runtime: ${meta.runtime}`);
    // The start in the reader's local time, the stored text on hover.
    const started = new Date(meta.timestamp);
    const when = Number.isNaN(started.getTime()) ? meta.timestamp : started.toLocaleString(
      undefined,
      { dateStyle: "medium", timeStyle: "medium" },
    );
    facts.append(el("span", "", `started: ${when}`));
    (facts.lastChild as HTMLElement).title = meta.timestamp;
    if (meta.duration_ms !== null) fact(`duration: ${formatUs(meta.duration_ms * 1000)}`);
    fact(`calls recorded: ${meta.call_count}`);
    if (meta.dropped_calls > 0) {
      fact(`left out: ${meta.dropped_calls} (by ${meta.limit_reason ?? "limits"})`);
    }
    if (meta.summarised) {
      fact(`summaries: ${meta.summarised}`);
    }
    if (meta.ended !== null) {
      fact(`ended: ${meta.ended}${meta.exit_code ? ` (exit ${meta.exit_code})` : ""}`);
    }
    if (meta.error) fact(`error: ${meta.error}`);
    h.append(facts);
    const family = this.family();
    if (family !== null) h.append(family);
    return h;
  }

  /**
   * The run that started this one, and the processes and workers it started: each a link to
   * the node that holds its calls (under the call that started it), else to that call.
   */
  family(): HTMLElement | null {
    const f = this.data.family;
    if (f === undefined || (f.parent === null && f.children.length === 0)) return null;
    const line = el("div", "family");
    if (f.parent !== null) {
      const at = f.parent.call === null ? "" : ` at call ${f.parent.call + 1}`;
      line.append(
        el("span", "", `a ${f.parent.kind} started by run ${f.parent.run}${at}`),
        el("span", "", `(its page: tph view ${f.parent.run} --html)`),
      );
    }
    if (f.children.length > 0) {
      const n = f.children.length;
      const what = n === 1 ? "process or worker" : "processes and workers";
      line.append(el("span", "", `started ${n} ${what}:`));
      for (const c of f.children) {
        const who = c.name;
        const by = c.started_by === null ? "" : ` (started by ${c.started_by})`;
        const target = c.row >= 0 ? c.row : c.call;
        const link = el(target >= 0 ? "a" : "span", "", who + by);
        if (c.row < 0) {
          link.title = c.run === null
            ? "it left no run"
            : `its calls are not in this page: tph view ${c.run} --html`;
        }
        if (target >= 0) {
          link.addEventListener("click", () => {
            // The child's node, open to its calls.
            if (c.row >= 0 && this.m.hasChildren(c.row) && this.expanded[c.row] === 0) {
              this.expanded[c.row] = 1;
              this.relayout();
            }
            this.select(target, true);
          });
        }
        line.append(link);
      }
    }
    return line;
  }

  note(): HTMLElement {
    const d = this.data;
    const note = el("div", "note");
    if (d.left_out > 0) {
      note.textContent = `This page holds the first ${d.shown} calls; ${d.left_out} more are ` +
        `not in it (a page holds at most ${d.max_calls}). To see them, write a page of a part of ` +
        "the run: tph view <run> --html --filter NAME, or --max-depth N.";
    }
    return note;
  }

  /** The rows to show: expanded paths, or with a function chosen, the paths to its calls. */
  relayout(): void {
    const m = this.m;
    const out = new Int32Array(m.n);
    let k = 0;
    for (let i = 0; i < m.n;) {
      if (this.keep !== null && this.keep[i] === 0) {
        i = m.end[i];
        continue;
      }
      out[k++] = i;
      i = this.expanded[i] || this.keep !== null ? i + 1 : m.end[i];
    }
    this.visible = out.subarray(0, k);
    this.rows.style.height = `${k * ROW}px`;
    this.paint();
  }

  /** Fill the rows that are on screen. */
  paint(): void {
    const top = this.tree.scrollTop;
    const height = this.tree.clientHeight || 600;
    const from = Math.max(0, Math.floor(top / ROW) - 5);
    const to = Math.min(this.visible.length, Math.ceil((top + height) / ROW) + 5);
    while (this.pool.length < to - from) {
      const row = el("div", "row");
      row.setAttribute("role", "treeitem");
      this.pool.push(row);
      this.rows.append(row);
    }
    for (let r = 0; r < this.pool.length; r++) {
      const row = this.pool[r];
      const at = from + r;
      if (at >= to) {
        row.style.display = "none";
        continue;
      }
      row.style.display = "";
      this.fillRow(row, this.visible[at], at);
    }
  }

  fillRow(row: HTMLDivElement, i: number, at: number): void {
    const m = this.m;
    row.style.top = `${at * ROW}px`;
    row.dataset.i = String(i);
    row.className = "row" + (i === this.selected ? " sel" : "") + (this.isMatch[i] ? " hit" : "");
    row.replaceChildren();
    const indent = el("span");
    indent.style.width = `${m.depth[i] * 14 + 4}px`;
    indent.style.flex = "none";
    const open = this.expanded[i] === 1 || this.keep !== null;
    const tog = el("span", "tog", m.hasChildren(i) ? (open ? "▾" : "▸") : "");
    if (m.hasChildren(i)) row.setAttribute("aria-expanded", String(open));
    else row.removeAttribute("aria-expanded");
    const label = el("span", "label", m.label(i));
    row.append(indent, tog, label);
    const value = m.value(i);
    if (m.state[i] === THREW) row.append(el("span", "ret err", ` !! ${value}`));
    else if (m.state[i] === UNFINISHED) row.append(el("span", "ret", " (unfinished)"));
    else if (value !== null) row.append(el("span", "ret", ` -> ${value}`));
    const dropped = m.droppedBelow(i);
    if (dropped > 0) row.append(el("span", "ret", `  … ${dropped} calls left out`));
    row.append(el("span", "dur", formatUs(m.dur[i])));
    const share = el("span", "share");
    const p = m.parent[i];
    const whole = p < 0 ? m.lastTime - m.firstTime : m.dur[p];
    const bar = el("i");
    bar.style.width = `${whole > 0 ? Math.min(100, (m.dur[i] / whole) * 100) : 100}%`;
    share.title = "share of the caller's time";
    share.append(bar);
    row.append(share);
  }

  toggle(i: number): void {
    if (!this.m.hasChildren(i) || this.keep !== null) return;
    this.expanded[i] ^= 1;
    this.relayout();
  }

  /** Show a call: open its callers, scroll to it, show its details. */
  select(i: number, reveal: boolean): void {
    this.selected = i;
    if (reveal) {
      let changed = false;
      for (let p = this.m.parent[i]; p >= 0; p = this.m.parent[p]) {
        if (!this.expanded[p]) {
          this.expanded[p] = 1;
          changed = true;
        }
      }
      if (changed) this.relayout();
      const at = this.rowOf(i);
      if (at >= 0) {
        const y = at * ROW;
        if (y < this.tree.scrollTop || y + ROW > this.tree.scrollTop + this.tree.clientHeight) {
          this.tree.scrollTop = Math.max(0, y - this.tree.clientHeight / 2);
        }
      }
    }
    this.paint();
    this.showDetails(i);
    this.flame.draw();
  }

  rowOf(i: number): number {
    // The visible rows are in stored order: a binary search finds a call's row.
    let lo = 0, hi = this.visible.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.visible[mid];
      if (v === i) return mid;
      if (v < i) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  key(e: KeyboardEvent): void {
    const m = this.m;
    const at = this.rowOf(this.selected);
    const go = (row: number) => {
      if (row >= 0 && row < this.visible.length) this.select(this.visible[row], true);
    };
    switch (e.key) {
      case "ArrowDown":
        go(at + 1);
        break;
      case "ArrowUp":
        go(at - 1);
        break;
      case "ArrowRight":
        if (m.hasChildren(this.selected) && !this.expanded[this.selected]) {
          this.toggle(this.selected);
        } else go(at + 1);
        break;
      case "ArrowLeft":
        if (this.expanded[this.selected] && m.hasChildren(this.selected)) {
          this.toggle(this.selected);
        } else if (m.parent[this.selected] >= 0) this.select(m.parent[this.selected], true);
        break;
      case "Enter":
        this.toggle(this.selected);
        break;
      default:
        return;
    }
    e.preventDefault();
  }

  lastQuery = "";

  /** Find calls whose name, arguments, return value or error contain the text. */
  find(query: string): void {
    this.lastQuery = query;
    for (const i of this.matches) this.isMatch[i] = 0;
    this.matches = [];
    this.match = -1;
    const q = query.toLowerCase();
    if (q !== "") {
      const m = this.m;
      for (let i = 0; i < m.n; i++) {
        if (m.haystack(i).includes(q)) {
          this.matches.push(i);
          this.isMatch[i] = 1;
        }
      }
    }
    this.count.textContent = q === ""
      ? ""
      : this.matches.length === 0
      ? "no match"
      : `${this.matches.length} match${this.matches.length === 1 ? "" : "es"}`;
    if (this.matches.length > 0) this.step(1);
    else this.paint();
  }

  step(dir: number): void {
    if (this.matches.length === 0) return;
    this.match = (this.match + dir + this.matches.length) % this.matches.length;
    this.count.textContent = `${this.match + 1} of ${this.matches.length}`;
    this.select(this.matches[this.match], true);
  }

  showDetails(i: number): void {
    const m = this.m;
    const d = this.details;
    d.replaceChildren();
    const frame = this.data.frames[m.frame[i]];
    d.append(el("h2", "", m.name(i)));
    const dl = el("dl");
    const item = (term: string, value: string | Node, cls = "v") => {
      dl.append(el("dt", "", term));
      const dd = el("dd", cls);
      if (typeof value === "string") dd.textContent = value;
      else dd.append(value);
      dl.append(dd);
    };
    const file = frame[FRAME_FILE], line = frame[FRAME_LINE];
    if (file !== "") {
      const link = el("a", "", line > 0 ? `${file}:${line}` : file);
      link.href = "file://" + encodeURI(file);
      item("where", link);
    }
    const args = m.args(i);
    for (let k = 0; k < args.length; k++) item(`argument ${m.argName(i, k)}`, args[k]);
    const value = m.value(i);
    if (m.state[i] === THREW) item("threw", value ?? "", "v err");
    else if (m.state[i] === UNFINISHED) item("returned", "(still running when the run ended)");
    else item("returned", value ?? "");
    item("took", `${formatUs(m.dur[i])}, from ${formatUs(m.start[i] - m.firstTime)}`);
    if (m.awaited[i] > 0) {
      item(
        "awaiting",
        `${formatUs(m.awaited[i])} of it (running ${formatUs(m.dur[i] - m.awaited[i])})`,
      );
    }
    if (m.droppedBelow(i) > 0) item("left out below", `${m.droppedBelow(i)} calls`);
    const flags = frame[FRAME_FLAGS];
    if (flags & FN_ASYNC) item("kind", "async");
    if (flags & FN_EXTERNAL) item("kind", "call into code not traced");
    d.append(dl);
    const stack = el("div", "stack");
    stack.append(el("h2", "", "Stack"));
    const path: number[] = [];
    for (let p = i; p >= 0; p = m.parent[p]) path.unshift(p);
    path.forEach((p, depth) => {
      const line = el("div");
      line.style.paddingLeft = `${depth * 10}px`;
      const a = el("a", "", m.name(p));
      a.addEventListener("click", () => this.select(p, true));
      line.append(a);
      stack.append(line);
    });
    d.append(stack);
  }

  sortKey: "name" | "calls" | "total" | "self" | "awaiting" = "total";
  sortDown = true;

  functionTable(): void {
    const rows = this.m.functionTable();
    const key = this.sortKey;
    const sign = this.sortDown ? -1 : 1;
    rows.sort((a, b) =>
      key === "name"
        ? sign *
          -this.data.frames[a.frame][FRAME_NAME].localeCompare(
            this.data.frames[b.frame][FRAME_NAME],
          )
        : sign * (a[key] - b[key])
    );
    this.funcs.replaceChildren(el("h2", "", "Functions"));
    const table = el("table");
    const head = el("tr");
    const columns: [typeof key, string][] = [
      ["name", "function"],
      ["calls", "calls"],
      ["total", "total"],
      ["self", "self"],
      ["awaiting", "awaiting"],
    ];
    for (const [k, title] of columns) {
      const th = el("th", "", title + (k === key ? (this.sortDown ? " ▾" : " ▴") : ""));
      if (k === "self") {
        th.title = "time running the function's own code: not in the recorded calls below it, " +
          "not awaiting";
      }
      if (k === "awaiting") {
        th.title = "time suspended: an async call's awaits, a generator's time between yields";
      }
      th.dataset.key = k;
      th.addEventListener("click", () => {
        if (this.sortKey === k) this.sortDown = !this.sortDown;
        else {
          this.sortKey = k;
          this.sortDown = k !== "name";
        }
        this.functionTable();
      });
      head.append(th);
    }
    const thead = el("thead");
    thead.append(head);
    const tbody = el("tbody");
    for (const r of rows.slice(0, 500)) {
      const tr = el("tr", r.frame === this.keepFrame ? "on" : "");
      tr.dataset.frame = String(r.frame);
      tr.append(
        el("td", "", this.data.frames[r.frame][FRAME_NAME]),
        el("td", "n", String(r.calls)),
        el("td", "n", formatUs(r.total)),
        el("td", "n", formatUs(r.self)),
        el("td", "n", r.awaiting > 0 ? formatUs(r.awaiting) : ""),
      );
      tr.addEventListener("click", () => this.filterTo(r.frame === this.keepFrame ? -1 : r.frame));
      tbody.append(tr);
    }
    table.append(thead, tbody);
    this.funcs.append(table);
  }

  /** Show only the calls of one function and the calls leading to them (-1: all calls). */
  filterTo(frame: number): void {
    const m = this.m;
    this.keepFrame = frame;
    if (frame < 0) {
      this.keep = null;
      this.filterBar.textContent = "";
    } else {
      const keep = new Uint8Array(m.n);
      for (let i = 0; i < m.n; i++) {
        if (m.fnOf[m.frame[i]] !== frame) continue;
        for (let p = i; p >= 0 && keep[p] === 0; p = m.parent[p]) keep[p] = 1;
      }
      this.keep = keep;
      this.filterBar.textContent = `Only the calls of ${
        this.data.frames[frame][FRAME_NAME]
      } and the calls leading to them (click it in the table again for all).`;
    }
    this.relayout();
    this.functionTable();
    if (this.selected >= 0) this.select(this.selected, true);
  }
}

/** Height of the flame chart's time axis, above the calls, and of a row of calls. */
const AXIS = 18, BAR = 16;

/**
 * The flame chart: time across (an axis on top, from the run's start), depth down; wheel zooms,
 * drag pans, click selects.
 */
class Flame {
  readonly canvas = el("canvas");
  from: number;
  to: number;

  readonly v: Viewer;
  constructor(v: Viewer, box: HTMLElement) {
    this.v = v;
    box.append(this.canvas);
    this.from = v.m.firstTime;
    this.to = v.m.lastTime;
    let drag: { x: number; from: number; to: number; moved: boolean } | null = null;
    this.canvas.addEventListener("wheel", (e) => {
      e.preventDefault();
      const rect = this.canvas.getBoundingClientRect();
      const at = this.from + ((e.clientX - rect.left) / rect.width) * (this.to - this.from);
      const f = e.deltaY > 0 ? 1.25 : 0.8;
      const span = Math.max(1, (this.to - this.from) * f);
      const left = (at - this.from) / (this.to - this.from);
      this.from = at - left * span;
      this.to = this.from + span;
      this.draw();
    }, { passive: false });
    this.canvas.addEventListener("mousedown", (e) => {
      drag = { x: e.clientX, from: this.from, to: this.to, moved: false };
    });
    globalThis.addEventListener("mousemove", (e) => {
      if (drag === null) return;
      const dx = e.clientX - drag.x;
      if (Math.abs(dx) > 2) drag.moved = true;
      const per = (drag.to - drag.from) / this.canvas.clientWidth;
      this.from = drag.from - dx * per;
      this.to = drag.to - dx * per;
      this.draw();
    });
    globalThis.addEventListener("mouseup", (e) => {
      if (drag !== null && !drag.moved) this.click(e);
      drag = null;
    });
    this.draw();
  }

  /** Where the bars of calls at `depth` start, from the canvas's top. */
  barTop(depth: number): number {
    return AXIS + depth * BAR;
  }

  /** The axis's ticks in view: their x (px from the left) and labels (time since the start). */
  ticks(): [number, string][] {
    const w = this.canvas.clientWidth || 800;
    const scale = w / Math.max(1e-9, this.to - this.from);
    const step = tickStep((this.to - this.from) * 100 / w);
    const zero = this.v.m.firstTime;
    const out: [number, string][] = [];
    for (let t = Math.ceil((this.from - zero) / step) * step; zero + t <= this.to; t += step) {
      out.push([(zero + t - this.from) * scale, formatUs(t)]);
    }
    return out;
  }

  click(e: MouseEvent): void {
    const rect = this.canvas.getBoundingClientRect();
    if (e.clientY < rect.top || e.clientY > rect.bottom) return;
    const m = this.v.m;
    const depth = Math.floor((e.clientY - rect.top - AXIS) / BAR);
    if (depth < 0) return;
    const t = this.from + ((e.clientX - rect.left) / rect.width) * (this.to - this.from);
    for (let i = m.n - 1; i >= 0; i--) {
      if (m.depth[i] === depth && m.start[i] <= t && t <= m.start[i] + m.dur[i]) {
        this.v.select(i, true);
        return;
      }
    }
  }

  draw(): void {
    const c = this.canvas;
    const ratio = globalThis.devicePixelRatio || 1;
    const w = c.clientWidth || 800, h = c.clientHeight || 190;
    if (c.width !== Math.round(w * ratio) || c.height !== Math.round(h * ratio)) {
      c.width = Math.round(w * ratio);
      c.height = Math.round(h * ratio);
    }
    const g = c.getContext("2d");
    if (g === null) return;
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, w, h);
    const m = this.v.m;
    const scale = w / Math.max(1e-9, this.to - this.from);
    const rows = Math.floor((h - AXIS) / BAR);
    g.font = "11px ui-monospace, monospace";
    g.textBaseline = "middle";
    // The axis: a tick about every 100 px, labelled with the time since the run's first call.
    g.strokeStyle = "#d4d4d8";
    g.fillStyle = "#52525b";
    g.textAlign = "left";
    for (const [x, label] of this.ticks()) {
      g.beginPath();
      g.moveTo(x + 0.5, AXIS - 5);
      g.lineTo(x + 0.5, h);
      g.stroke();
      g.fillText(label, x + 3, AXIS / 2 - 1);
    }
    for (let i = 0; i < m.n; i++) {
      const d = m.depth[i];
      if (d >= rows) continue;
      const y = this.barTop(d);
      const s = m.start[i], e = s + m.dur[i];
      if (e < this.from || s > this.to) continue;
      const x = (s - this.from) * scale;
      const width = Math.max(1, m.dur[i] * scale);
      if (width < 1 && i !== this.v.selected) continue;
      const hue = (m.frame[i] * 47) % 360;
      g.fillStyle = i === this.v.selected
        ? "#f59e0b"
        : m.state[i] === THREW
        ? "#ef4444"
        : `hsl(${hue} 60% 72%)`;
      g.fillRect(x, y, width - (width > 3 ? 1 : 0), BAR - 1);
      if (width > 40) {
        g.fillStyle = "#111";
        g.save();
        g.beginPath();
        g.rect(x, y, width - 2, BAR - 1);
        g.clip();
        g.fillText(m.name(i), x + 3, y + BAR / 2);
        g.restore();
      }
    }
  }
}

/** Start the viewer on the page's data. */
function start(): void {
  const source = document.getElementById("tph-data");
  const root = document.getElementById("app");
  if (source === null || root === null) return;
  const data = JSON.parse(source.textContent ?? "{}") as PageData;
  // For tests and the curious: the viewer, from the console.
  (globalThis as { tphViewer?: Viewer }).tphViewer = new Viewer(data, root);
}

start();
