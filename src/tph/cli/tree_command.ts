import { INDENT_LEVELS, renderTree, treeDrawer, type TreeOptions } from "../../render/tree.ts";
import { openRun, type RunFile } from "../store/run_reader.ts";
import { resolveRunRef } from "../store/resolve_run_ref.ts";
import { CACHE_DIR_OPTION, cacheDirFor } from "./cache_dir_for.ts";
import { type Command, type Context, intOption } from "./command.ts";
import { CliError, usageError } from "./errors.ts";
import { readConfig } from "./read_config.ts";

/**
 * Draw a run in tph's format as it is read, line by line as renderTree draws it: a call's
 * siblings are known from the calls below it (stored with each call), so nothing is kept but
 * the open calls. A pipe into `head` gets its lines at once.
 */
function drawStreaming(
  file: RunFile,
  options: TreeOptions,
  out: (bytes: Uint8Array, length: number) => boolean,
): void {
  const draw = treeDrawer(options);
  const maxDepth = options.maxDepth ?? Infinity;
  // Written as bytes: every text of the program's in a line is escaped by the drawer already
  // (the same lines renderTree returns), so the CLI's last escaping pass is not needed here.
  // The prefix of a list is encoded once for all its lines.
  const w = new LineWriter(out);
  const connector = [w.encode(draw.connector(false)), w.encode(draw.connector(true))];
  // What a list's prefix grows by for the calls below a call (not last, last).
  const grow = [w.encode(draw.inner("", 1, false)), w.encode(draw.inner("", 1, true))];
  // The lists of calls being drawn, outermost first: their prefix and depth, the calls limits
  // left out at their end, and the ordinal of their last call.
  interface List {
    /** The list its call is in (null for the roots), and whether that call is its last. */
    parent: List | null;
    last: boolean;
    /** The prefix of its lines as text, made when a line needs it (rarely). */
    text: string | null;
    bytes: Uint8Array | null;
    /** The bytes of the prefix below its calls that are not last, once made. */
    grown: Uint8Array | null;
    depth: number;
    dropped: number;
    end: number;
  }
  const textOf = (l: List): string =>
    l.text ??= l.parent === null ? "" : draw.inner(textOf(l.parent), l.parent.depth, l.last);
  const lists: List[] = [{
    parent: null,
    last: false,
    text: "",
    bytes: new Uint8Array(0),
    grown: null,
    depth: 1,
    dropped: file.meta.dropped_at_root ?? 0,
    end: file.records - 1,
  }];
  const closeTo = (depth: number) => {
    while (lists.length > depth) {
      const l = lists.pop()!;
      if (l.dropped > 0) w.line(draw.leftOut(textOf(l), l.depth, l.dropped));
    }
  };
  let ordinal = 0;
  file.stream!((node, depth, below, droppedBelow) => {
    const here = ordinal++;
    closeTo(depth + 1);
    const l = lists[depth];
    const last = here + below === l.end && l.dropped === 0;
    if (l.bytes !== null) {
      w.bytes(l.bytes);
      w.bytes(connector[last ? 1 : 0]);
      w.line(draw.label(node));
    } else w.line(draw.call(textOf(l), l.depth, last, node));
    const dropped = node.dropped ?? 0;
    if (l.depth >= maxDepth) {
      const inner = draw.inner(textOf(l), l.depth, last);
      const line = draw.below(inner, l.depth, below, droppedBelow + dropped);
      if (line !== null) w.line(line);
      ordinal += below;
      return false;
    }
    if (below > 0 || dropped > 0) {
      // The inner prefix's bytes: the list's, and what it grows by (no text encoded again),
      // made once for the calls of a list that are not last.
      let bytes: Uint8Array | null = null;
      if (l.bytes !== null && l.depth < INDENT_LEVELS) {
        bytes = last ? null : l.grown;
        if (bytes === null) {
          const more = grow[last ? 1 : 0];
          bytes = new Uint8Array(l.bytes.length + more.length);
          bytes.set(l.bytes);
          bytes.set(more, l.bytes.length);
          if (!last) l.grown = bytes;
        }
      }
      lists.push({
        parent: l,
        last,
        text: null,
        bytes,
        grown: null,
        depth: l.depth + 1,
        dropped,
        end: here + below,
      });
    }
    return true;
  });
  closeTo(0);
  w.flush();
}

/** Thrown to stop drawing once stdout's reader went away. */
const READER_GONE = new Error("stdout closed");

/** Lines into a reused buffer, written out when it fills. */
class LineWriter {
  #buf = new Uint8Array(1 << 20);
  #pos = 0;
  readonly #encoder = new TextEncoder();

  constructor(readonly out: (bytes: Uint8Array, length: number) => boolean) {}

  encode(text: string): Uint8Array {
    return this.#encoder.encode(text);
  }

  #room(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    this.flush();
    if (n > this.#buf.length) this.#buf = new Uint8Array(n);
  }

  bytes(b: Uint8Array): void {
    this.#room(b.length);
    this.#buf.set(b, this.#pos);
    this.#pos += b.length;
  }

  /** Text and a line end: ASCII a byte at a time, anything else through the encoder. */
  line(text: string): void {
    const n = text.length;
    this.#room(n * 3 + 1);
    const buf = this.#buf;
    let pos = this.#pos, i = 0;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x80) buf[pos++] = c;
      else if (c < 0x800) {
        // `µs`, on every line.
        buf[pos++] = 0xc0 | (c >> 6);
        buf[pos++] = 0x80 | (c & 63);
      } else break;
    }
    if (i < n) pos += this.#encoder.encodeInto(text.slice(i), buf.subarray(pos)).written;
    buf[pos++] = 10;
    this.#pos = pos;
  }

  /** Write what is buffered; throws READER_GONE once nobody reads (`| head`): nothing more to do. */
  flush(): void {
    const open = this.#pos === 0 || this.out(this.#buf, this.#pos);
    this.#pos = 0;
    if (!open) throw READER_GONE;
  }
}

/** A shown/hidden switch from a pair of flags, else the config's value. */
function toggle(ctx: Context, on: string, off: string, fallback: boolean): boolean {
  if (ctx.values[on] && ctx.values[off]) {
    throw usageError(`--${on} and --${off} cannot be used together`, "tree");
  }
  return ctx.values[on] ? true : ctx.values[off] ? false : fallback;
}

/** `tph tree <run>`: a stored run's call tree. */
export const treeCommand: Command = {
  name: "tree",
  summary: "draw a stored run's call tree",
  usage: "tree <run> [--max-depth N] [--no-args] [--no-return] [--style ascii|unicode] " +
    "[--filter NAME] [--cache-dir DIR]",
  details: [
    "<run> is a run file, last, N as numbered by tph logs (1 = newest), or a run id or a",
    "unique prefix of one. Errors show as !! Error: message, external calls as [ext], calls",
    "open when the run ended as [unfinished]; a line counts the calls limits left out.",
    "Defaults come from the config (tree_style, show_args, show_return); flags override it.",
  ],
  examples: [
    "tph tree last",
    "tph tree 2 --max-depth 3 --no-args",
    "tph tree last --filter fetchUser --style ascii",
  ],
  options: {
    "max-depth": { type: "string", arg: "N", help: "draw N levels, sum up the calls below" },
    "show-args": { type: "boolean", help: "show arguments (config: show_args)" },
    "no-args": { type: "boolean", help: "hide arguments" },
    "show-return": { type: "boolean", help: "show return values (config: show_return)" },
    "no-return": { type: "boolean", help: "hide return values" },
    style: {
      type: "string",
      arg: "STYLE",
      help: "connectors: ascii or unicode (config: tree_style)",
    },
    filter: {
      type: "string",
      arg: "NAME",
      help: "only calls whose name contains NAME, with their callers and callees",
    },
    "cache-dir": CACHE_DIR_OPTION,
  },
  positionals: [1, 1],
  run(ctx) {
    const cfg = readConfig(ctx);
    const style = ctx.values.style ?? cfg.tree_style;
    if (style !== "ascii" && style !== "unicode") {
      throw usageError(`--style takes ascii or unicode, got "${style}"`, "tree");
    }
    const maxDepth = intOption(ctx.values["max-depth"], "max-depth", "tree", 1);
    const showArgs = toggle(ctx, "show-args", "no-args", cfg.show_args);
    const showReturn = toggle(ctx, "show-return", "no-return", cfg.show_return);
    const filter = ctx.values.filter as string | undefined;
    if (filter === "") throw usageError("--filter needs a name to look for", "tree");
    const ref = ctx.positionals[0];
    const file = openRun(resolveRunRef(ref, cacheDirFor(ctx), { cwd: ctx.cwd }), { cwd: ctx.cwd });
    const options: TreeOptions = {
      style,
      maxDepth,
      showArgs,
      showReturn,
      filter,
      color: ctx.color,
      limitReason: file.meta.limit_reason,
    };
    let text: string;
    try {
      // A run in tph's format is drawn as it is read (a filter looks at every call first).
      if (file.stream !== null && filter === undefined && file.records > 0) {
        try {
          drawStreaming(file, options, ctx.outBytes);
        } catch (e) {
          if (e !== READER_GONE) throw e;
        }
        return 0;
      }
      // Read down to the depth drawn.
      const tree = file.tree(filter === undefined ? maxDepth : undefined);
      options.rootDropped = Math.max(0, (file.meta.dropped_calls ?? 0) - tree.droppedUnderCalls);
      options.cut = tree.cut;
      text = renderTree(tree.roots, options);
    } finally {
      file.close();
    }
    if (text === "" && filter !== undefined) {
      throw new CliError(`No call in run "${ref}" has a name containing "${filter}"`, 1);
    }
    ctx.out(text === "" ? "(no calls recorded)" : text);
    return 0;
  },
};
