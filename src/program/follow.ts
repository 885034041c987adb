// Following what a traced program starts: a process of a JavaScript runtime (node:child_process'
// fork, spawn, exec and execFile on Node and Deno, `Deno.Command`, `Bun.spawn` and `spawnSync`,
// through which Bun's child_process goes) or a worker (node:worker_threads', the web's on Deno and
// Bun) runs tph's preload with the run's settings (`sub` set: follow.ts's side in child.ts), and
// writes its own run beside the program's when it ends. The program's process lists each one in
// `<out>.children` as it starts (so that the CLI finds it even if the program dies) and, in its
// run's meta, the call that started it. The command, its arguments and environment are the
// program's, with the preload's option and the settings' variable added, which the child takes
// out of its `process.execArgv` and `process.env` before its program runs; a command of another
// program is left as it is (an external call, as before). Runs in the program's process: built-ins
// as captured before the program ran.

import process from "../platform/node_process.ts";
import { appendText, randomHex } from "../platform/files.ts";
import {
  hasOwn,
  plainJSON,
  regexExec,
  regexTest,
  strLastIndexOf,
  strSlice,
  strStartsWith,
} from "../platform/intrinsics.ts";
import {
  Atomics,
  Int32Array,
  JSON,
  Promise,
  RegExp,
  SharedArrayBuffer,
  URL,
} from "../platform/globals.ts";
import {
  apply as reflectApply,
  defineAll,
  defineProperty,
  getOwn,
  getOwnAll,
  isArray,
  objectKeys as keys,
  reflectConstruct,
  SafeSet,
  SafeWeakMap,
} from "../platform/intrinsics.ts";
import { leftFile, processRunName } from "../run_file/process_files.ts";
import type { ChildStarted } from "../run_file/process_files.ts";
import { runtime } from "./recorder/recorder.ts";
import { makingOwnWorker } from "./recorder/own_worker.ts";
import { standIn } from "./loader/original_text.ts";
import { onBuiltinLoad } from "./loader/node.ts";
import { BUN_PRELOAD_URL, NODE_PRELOAD_URL, PRELOAD_URL } from "./loader/own_files.ts";
import { type ChildConfig, FOLLOW_ENV } from "./settings.ts";
import { handOffHolds } from "./hand_off.ts";
import type { BunFollow } from "./bun_children.ts";
import { activeRequest, type RequestRun } from "./requests/request_runs.ts";
import { sentRecord } from "./recorder/sent_spans.ts";
import { parseTraceparent } from "../store/trace_context.ts";
import type { TraceContextJSON } from "../types.ts";

/** The key of a worker's environment data (node:worker_threads) its settings are passed in. */
const FOLLOW_DATA = "tph.follow";
/**
 * The key its request flags are passed in: a SharedArrayBuffer of two Int32 slots; the parent
 * sets the first to ask the worker to save its run now (it is terminated, or the program is
 * ending); the worker sets the second to LISTENING once it listens, to SAVED once it has saved.
 */
const ASK_DATA = "tph.follow.ask";
/** How long the parent waits, at most, for a worker to save before it ends. */
const ASK_MS = 2000;
const LISTENING = 2, SAVED = 1;
const atomicsWait = Atomics.wait, atomicsNotify = Atomics.notify, atomicsStore = Atomics.store;
const atomicsLoad = Atomics.load, waitAsync = Atomics.waitAsync;
const promiseThen = Promise.prototype.then;

const encode = encodeURIComponent, decode = decodeURIComponent;
const epochNow = Date.now;
const PRELOAD = decode(PRELOAD_URL.pathname);
const NODE_PRELOAD = decode(NODE_PRELOAD_URL.pathname);
const BUN_PRELOAD = decode(BUN_PRELOAD_URL.pathname);

// deno-lint-ignore no-explicit-any
const G = globalThis as any;
/**
 * Taken before the program runs, on Deno only (holdMessages): on Node, reading `MessageEvent`
 * loads its fetch (undici) into every program.
 */
const onDeno = G.Deno !== undefined;
const MessageEventCtor = onDeno ? G.MessageEvent : undefined;
const dispatchEvent = onDeno ? G.dispatchEvent : undefined;
const addEventListener = onDeno ? G.addEventListener : undefined;
const removeEventListener = onDeno ? G.removeEventListener : undefined;
// deno-lint-ignore no-explicit-any
let threadsModule: any = null;
/** node:worker_threads, loaded when first needed (not in a run that follows nothing). */
// deno-lint-ignore no-explicit-any
function wt(): any {
  // deno-lint-ignore no-explicit-any
  return threadsModule ??= (process as any).getBuiltinModule?.("node:worker_threads");
}

/**
 * A followed process's or worker's settings, taken out of its environment (a process's variable,
 * a worker's environment data), or given (`inline`: in the preload's URL); null in any other
 * process or thread, and when they do not name the run as tph does (hand_off.ts): a variable the
 * program set itself, which is then left as it is. A worker's come only from its environment data
 * or its URL, never from the variable (a copy of the program's `process.env`).
 */
export function followedSettings(inline: string | null): ChildConfig | null {
  let text: unknown = inline;
  let fromEnv = false;
  if (inline === null) {
    if (!inWorker()) {
      text = process.env[FOLLOW_ENV];
      fromEnv = text !== undefined;
    } else {
      try {
        text = wt().getEnvironmentData(FOLLOW_DATA);
        if (text !== undefined) wt().setEnvironmentData(FOLLOW_DATA, undefined);
      } catch {
        text = undefined;
      }
    }
  }
  if (typeof text !== "string") return null;
  let config: ChildConfig;
  try {
    config = JSON.parse(text) as ChildConfig;
  } catch {
    return null;
  }
  if (
    typeof config !== "object" || config === null || typeof config.out !== "string" ||
    !handOffHolds(config.handOff)
  ) return null;
  if (fromEnv) {
    // The program's own value of the variable, which tph's took the place of, as it gave it.
    if (typeof config.followWas === "string") process.env[FOLLOW_ENV] = config.followWas;
    else delete process.env[FOLLOW_ENV];
  }
  return config;
}

/** Whether this is a worker thread (node:worker_threads', or the web's on Bun and Deno). */
function inWorker(): boolean {
  try {
    return wt() !== undefined && wt().isMainThread === false;
  } catch {
    return false;
  }
}

/**
 * A followed worker: save its run when its parent asks (it is about to terminate it, or to end).
 *
 * @param save Saves the run.
 * @returns What the worker calls once it has saved by itself (its parent then waits no more).
 */
export function saveWhenAsked(save: () => void): () => void {
  let sab: unknown;
  try {
    sab = wt()?.getEnvironmentData(ASK_DATA);
    if (sab !== undefined) wt().setEnvironmentData(ASK_DATA, undefined);
  } catch {
    sab = undefined;
  }
  let flags: Int32Array | null = null;
  const saved = () => {
    if (flags === null) return;
    atomicsStore(flags, 1, SAVED);
    atomicsNotify(flags, 1);
  };
  const listen = (buffer: unknown) => {
    if (!(buffer instanceof SharedArrayBuffer) || typeof waitAsync !== "function") return;
    const f = flags = new Int32Array(buffer);
    atomicsStore(f, 1, LISTENING);
    // A pending wait keeps no worker alive.
    const wait = reflectApply(waitAsync, Atomics, [f, 0, 0]) as { async: boolean; value: unknown };
    if (!wait.async) return;
    reflectApply(promiseThen, wait.value, [() => {
      try {
        save();
      } finally {
        saved();
      }
    }]);
  };
  // A Deno web worker's flags come in its first message (its module takes it: followWorkers).
  if (sab === undefined) listenLater = listen;
  else listen(sab);
  return saved;
}

/** A Deno web worker: takes its flags once its module has them (see takeAsk). */
let listenLater: ((buffer: unknown) => void) | null = null;

/** The key of the message that brings a Deno web worker its flags. */
const ASK_MESSAGE = "__tphFollowAsk";

/**
 * A Deno web worker's module (followWorkers): wait for the first message, which holds the flags
 * its parent shares with it, and take it before the worker's own module adds its listeners.
 */
export function takeAsk(): Promise<void> {
  return new Promise<void>((resolve) => {
    const onMessage = (e: { data?: Record<string, unknown>; stopImmediatePropagation(): void }) => {
      const buffer = e.data?.[ASK_MESSAGE];
      if (buffer === undefined) return;
      e.stopImmediatePropagation();
      G.removeEventListener("message", onMessage);
      listenLater?.(buffer);
      resolve();
    };
    G.addEventListener("message", onMessage);
  });
}

/**
 * A followed worker on Deno, whose module tph's bootstrap imports after the preload
 * (followWorkers): Deno hands the messages posted to it while its module loads to the listeners
 * there are then, none, and they would be lost (plainly the module's listeners are on before any
 * is handed). Hold them until the module has loaded, then hand them on in order.
 *
 * @param web A web worker (its global's `message` events), else a node:worker_threads one (its
 *   `parentPort`'s).
 * @returns Call once the worker's module has loaded (or failed to).
 */
export function holdMessages(web: boolean): () => void {
  const held: { data: unknown; ports?: unknown }[] = [];
  let release: () => void;
  if (web) {
    const hold = (e: { data: unknown; ports: unknown; stopImmediatePropagation(): void }) => {
      held[held.length] = { data: e.data, ports: e.ports };
      e.stopImmediatePropagation();
    };
    reflectApply(addEventListener, G, ["message", hold]);
    release = () => reflectApply(removeEventListener, G, ["message", hold]);
  } else {
    const port = wt()?.parentPort;
    if (port === null || port === undefined || typeof port.on !== "function") return () => {};
    const hold = (data: unknown) => {
      held[held.length] = { data };
    };
    reflectApply(port.on, port, ["message", hold]);
    release = () => reflectApply(port.off, port, ["message", hold]);
  }
  return () => {
    release();
    // Deno's parentPort listens to the worker's global too: the messages are dispatched there.
    for (let i = 0; i < held.length; i++) {
      reflectApply(dispatchEvent, G, [new MessageEventCtor("message", held[i])]);
    }
  };
}

/** Ask a followed worker that listens to save its run, and wait until it has (at most `ms`). */
function askToSave(flags: Int32Array, ms: number): void {
  // Not listening (not started yet, or a worker that got no flags): nothing to wait for.
  if (atomicsLoad(flags, 1) !== LISTENING || ms <= 0) return;
  atomicsStore(flags, 0, 1);
  atomicsNotify(flags, 0);
  try {
    atomicsWait(flags, 1, LISTENING, ms);
  } catch {
    // A thread that may not wait (a browser's main thread): not saved.
  }
}

/** The request flags of each followed worker, by the worker. */
const askOf: WeakMap<object, Int32Array> = new SafeWeakMap<object, Int32Array>();
const asks: Int32Array[] = [];

/**
 * The program is ending: its followed workers still running save their runs (Node ends them
 * without running their exit handlers). At most ASK_MS in all.
 */
export function saveLiveWorkers(): void {
  const until = epochNow() + ASK_MS;
  for (let i = 0; i < asks.length; i++) askToSave(asks[i], until - epochNow());
}

/** A Worker class's terminate() asks a followed worker to save its run first. */
function saveBeforeTerminate(Real: unknown): void {
  const proto = typeof Real === "function" ? Real.prototype : undefined;
  const real = proto?.terminate;
  if (typeof real !== "function") return;
  const terminate = standIn(real, {
    apply(_real, self, args) {
      const flags = self !== null && typeof self === "object" ? askOf.get(self) : undefined;
      if (flags !== undefined) askToSave(flags, ASK_MS);
      return reflectApply(real, self, args);
    },
  });
  defineProperty(proto, "terminate", { ...getOwn(proto, "terminate"), value: terminate });
}

/** Whether this process or worker is one followed (its settings are there to take). */
export function isFollowed(): boolean {
  let text: unknown;
  if (!inWorker()) text = process.env[FOLLOW_ENV];
  else {
    try {
      text = wt().getEnvironmentData(FOLLOW_DATA);
    } catch {
      return false;
    }
  }
  if (typeof text !== "string") return false;
  try {
    return handOffHolds((JSON.parse(text) as ChildConfig | null)?.handOff);
  } catch {
    return false;
  }
}

/** A followed child as its parent keeps it: what the `.children` file says, and its call. */
interface Followed extends ChildStarted {
  /** The tape's row of the call that started it (the external call), or -1. */
  row: number;
  /** The request whose handler started it (a run per request), if any. */
  request?: RequestRun;
}

const followed: Followed[] = [];

/** Whether this is the standalone binary's process (its preload is its own: binary_preload.ts). */
let binary = false;

/** The children followed so far, with the rows of the calls that started them. */
export function followedChildren(): readonly Followed[] {
  return followed;
}

/** The runtime a command starts, when it is one tph follows: by its path or its name. */
type Target = "node" | "bun" | "deno" | "self";

function targetOf(command: unknown): Target | null {
  if (typeof command !== "string") return null;
  if (command === process.execPath) {
    return G.Deno !== undefined ? "deno" : G.Bun === undefined ? "node" : binary ? "self" : "bun";
  }
  // The standalone binary runs programs on itself only.
  if (binary) return null;
  const slash = strLastIndexOf(command, "/");
  const base = slash < 0 ? command : strSlice(command, slash + 1);
  if (base === "node" || base === "nodejs") return "node";
  if (base === "bun") return "bun";
  if (base === "deno") return "deno";
  return null;
}

/**
 * The arguments that run the preload in a process of `target` started with `args`; null when it
 * is not followed (a Deno command that is not `deno run` with every permission: the preload needs
 * them; `bun test`, `node --test`: test runners are `tph test`'s).
 */
function withPreload(
  target: Target,
  args: readonly unknown[],
  own: string,
  nodeForm = false,
): unknown[] | null {
  const list: unknown[] = [];
  let options = true;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    // The runtime's own options come before the script (`node --test`, `bun test`).
    if (options && (a === "--test" || (i === 0 && a === "test"))) return null;
    if (typeof a !== "string" || (a[0] !== "-" && !(i === 0 && a === "run"))) options = false;
    list[i] = a;
  }
  if (target === "self") {
    // The standalone binary: its own preload adds itself (binary_preload.ts).
    return list;
  }
  if (target === "node") return before(["--require", NODE_PRELOAD], list);
  if (target === "bun") return before(["--preload", own === NODE_PRELOAD ? PRELOAD : own], list);
  const preload = own === NODE_PRELOAD ? PRELOAD : own;
  // Deno's node:child_process runs Deno's own executable given Node's arguments (a script first)
  // as `deno run -A`: so does tph, with the preload (any other option of Node's is not followed).
  if (nodeForm && typeof list[0] === "string" && list[0] !== "run" && list[0][0] !== "-") {
    return before(["run", "-A", "--preload", preload], list);
  }
  // Deno: `deno run -A …` (or `deno -A script`).
  let all = false, at = -1;
  for (let i = 0; i < list.length; i++) {
    const a = list[i];
    if (a === "-A" || a === "--allow-all") all = true;
    if (i === 0 && a === "run") at = 0;
    else if (typeof a === "string" && a[0] !== "-") break;
  }
  if (!all) return null;
  const result: unknown[] = at === 0 ? ["run", "--preload", preload] : ["--preload", preload];
  for (let i = at + 1; i < list.length; i++) result[result.length] = list[i];
  return result;
}

/** Random hex digits (`bytes` bytes), not all zeros (W3C's ids). */
function idHex(bytes: number): string {
  for (;;) {
    const hex = randomHex(bytes);
    for (let i = 0; i < hex.length; i++) if (hex[i] !== "0") return hex;
  }
}

/**
 * The request being served where a child starts now, if any, and the trace context the child's
 * run carries: the request's trace (the one it brought, else its run's own: the one its outgoing
 * requests carry), or the trace this process was started in (a child of a request's child), under
 * a span id given to the call that starts it (recorded as an outgoing request's is:
 * sent_spans.ts, so that the exports give that call this id). Null outside both.
 */
function requestHere(
  config: ChildConfig,
): { request: RequestRun | null; context: TraceContextJSON | null } | null {
  const r = activeRequest();
  const request = r !== undefined && !r.ended ? r : null;
  const given = config.sub?.traceContext;
  if (request === null && given === undefined) return null;
  const rt = runtime();
  const handle = rt.current();
  const trace = handle < 0 ? null : rt.traceOf(handle);
  if (trace === null || (request !== null && trace !== request.state)) {
    return { request, context: null };
  }
  const from = request !== null ? request.traceparent : given!.traceparent;
  const state = request !== null ? request.tracestate : given!.tracestate ?? null;
  const p = from === null ? null : parseTraceparent(from);
  const sent = sentRecord(trace, () => p !== null ? p.traceId : idHex(16));
  let span = sent.spans.get(handle);
  if (span === undefined) {
    span = idHex(8);
    sent.spans.set(handle, span);
  }
  const flags = p !== null ? p.flags & 0xff : 1;
  const traceparent = `00-${sent.traceId}-${span}-${flags < 16 ? "0" : ""}${flags.toString(16)}`;
  return {
    request,
    context: state !== null ? { traceparent, tracestate: state } : { traceparent },
  };
}

/** The settings a followed child gets, with a run file of its own beside the program's. */
function settingsFor(
  config: ChildConfig,
  kind: "process" | "worker",
  command?: string[],
  ipc = false,
): { text: string; started: Followed } {
  const dir = strSlice(config.out, 0, strLastIndexOf(config.out, "/") + 1);
  const name = processRunName(process.pid, randomHex(4));
  const inRequest = requestHere(config);
  const traceContext = inRequest?.context ?? null;
  const sub: ChildConfig = {
    loader: config.loader,
    limits: config.limits,
    label: config.label,
    blocks: config.blocks,
    out: dir + name,
    follow: true,
    ...(config.handOff !== undefined ? { handOff: config.handOff } : {}),
    sub: {
      kind,
      ...(ipc ? { ipc } : {}),
      ...(traceContext !== null ? { traceContext } : {}),
    },
    ...(command !== undefined ? { command } : {}),
  };
  const started: Followed = {
    out: name,
    kind,
    pid: kind === "worker" ? process.pid : null,
    start: epochNow(),
    row: runtime().current(),
    ...(inRequest?.request ? { request: inRequest.request } : {}),
  };
  return { text: plainJSON(sub), started };
}

/**
 * List a child as it starts: in the `.children` file (nothing when that cannot be written); one
 * started in a request, in that request's (listed as its run is stored: linkRequestChildren).
 */
function listChild(config: ChildConfig, child: Followed): void {
  const r = child.request;
  if (r !== undefined && !r.ended) {
    r.children[r.children.length] = child;
    return;
  }
  if (r !== undefined) {
    // Its request ended meanwhile: the process's, with no call (the call is the request's).
    child.row = -1;
    delete child.request;
  }
  listOwnChild(config, child);
}

/** List a child as the process's own (the process's run lists it). */
function listOwnChild(config: ChildConfig, child: Followed): void {
  followed[followed.length] = child;
  const line: ChildStarted = {
    out: child.out,
    kind: child.kind,
    pid: child.pid,
    start: child.start,
    ...(child.thread !== undefined ? { thread: child.thread } : {}),
  };
  try {
    appendText(leftFile(config.out, "children"), plainJSON(line) + "\n");
  } catch {
    // tph's folder is gone: nothing is stored anyway.
  }
}

/** The run's settings, once following is on. */
let followConfig: ChildConfig | null = null;

/**
 * A request's run is being stored (request_store.ts, childLinks): the children its handler started
 * are listed in `<out>.request-children`, each with that run's file name, its place in the run's
 * `children` and the call that started it, for the CLI to store their runs under it once the
 * program has ended. A request whose run is not stored (`run` null) leaves them to the process's
 * run, with no call.
 */
export function linkRequestChildren(
  run: string | null,
  children: readonly ChildStarted[],
  calls: readonly (number | null)[],
): void {
  const config = followConfig;
  if (config === null) return;
  let text = "";
  for (let i = 0; i < children.length; i++) {
    const c = children[i] as Followed;
    if (run === null) {
      c.row = -1;
      delete c.request;
      listOwnChild(config, c);
      continue;
    }
    text += plainJSON({
      out: c.out,
      kind: c.kind,
      pid: c.pid,
      start: c.start,
      ...(c.thread !== undefined ? { thread: c.thread } : {}),
      run,
      index: i,
      call: calls[i] ?? null,
    }) + "\n";
  }
  if (text === "") return;
  try {
    appendText(leftFile(config.out, "request_children"), text);
  } catch {
    // tph's folder is gone: nothing is stored anyway.
  }
}

/** A copy of an options object (its own properties as they are: no getter runs) with `key` set. */
function withOwn(options: unknown, key: string, value: unknown): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  if (options !== null && typeof options === "object") {
    defineAll(copy, getOwnAll(options));
  }
  defineProperty(copy, key, { value, writable: true, enumerable: true, configurable: true });
  return copy;
}

/** The environment a child is given, with the settings added: its own `env`, else the process's. */
function envWith(options: unknown, text: string, base?: Record<string, unknown>): object {
  const d = options !== null && typeof options === "object" ? getOwn(options, "env") : undefined;
  // A getter is the program's: read once, as the runtime would read it (the copy of the options
  // the runtime gets holds the value).
  const value = d === undefined
    ? undefined
    : hasOwn(d, "value")
    ? d.value
    : d.get !== undefined
    ? reflectApply(d.get, options, [])
    : undefined;
  const given =
    (value !== null && typeof value === "object" ? value : base ?? process.env) as Record<
      string,
      unknown
    >;
  const env: Record<string, unknown> = {};
  const names = keys(given);
  for (let i = 0; i < names.length; i++) env[names[i]] = given[names[i]];
  env[FOLLOW_ENV] = withFollowWas(text, env[FOLLOW_ENV]);
  return env;
}

/**
 * Settings for a child whose environment holds FOLLOW_ENV of the program's own: with its value,
 * which the child puts back (followedSettings), as it sees it plainly.
 *
 * @param text The settings (plainJSON of an object).
 * @param was The program's value, if any.
 */
function withFollowWas(text: string, was: unknown): string {
  if (typeof was !== "string") return text;
  return strSlice(text, 0, text.length - 1) + ',"followWas":' + plainJSON(was) + "}";
}

/**
 * A call's arguments `(first[, list][, options][, …rest])` (spawn, execFile, fork; exec has no
 * list): where its options are, and where the rest (a callback) begins. An absent list or options
 * (`undefined`, `null`) holds its place.
 */
function argsOf(
  args: unknown[],
  withList: boolean,
): { list: unknown[] | null; at: number; rest: number } {
  let at = 1;
  let list: unknown[] | null = null;
  if (withList && (isArray(args[1]) || (args[1] == null && args.length > 2))) {
    list = isArray(args[1]) ? args[1] : null;
    at = 2;
  }
  const rest = at < args.length && (isOptions(args[at]) || args[at] == null) ? at + 1 : at;
  return { list, at, rest };
}

/**
 * Replace `obj[name]` with tph's stand-in (standIn), whose calls go to `wrap(real)` with their
 * `this` and arguments.
 */
function replace(
  obj: Record<string, unknown>,
  name: string,
  wrap: (real: Fn) => (real: unknown, self: unknown, args: unknown[]) => unknown,
): void {
  const real = obj[name];
  if (typeof real !== "function") return;
  obj[name] = standIn(real as Fn, { apply: wrap(real as Fn) });
}

/** Whether a value is an options object (not an argument list, not a callback). */
function isOptions(v: unknown): boolean {
  return v !== null && typeof v === "object" && !isArray(v);
}

/** The first word of a shell command, when it names a runtime: its end, and the runtime. */
const SHELL_WORD = new RegExp("^\\s*('[^']*'|\"[^\"]*\"|[^\\s'\";&|<>()$`]+)(\\s|$)");

function shellQuote(s: string): string {
  let out = "'";
  for (let i = 0; i < s.length; i++) out += s[i] === "'" ? "'\\''" : s[i];
  return out + "'";
}

/** A shell command with the preload's option after its first word, when it runs a runtime. */
function shellWithPreload(command: string, own: string): string | null {
  const m = regexExec(SHELL_WORD, command);
  if (m === null) return null;
  const word = m[1][0] === "'" || m[1][0] === '"' ? strSlice(m[1], 1, m[1].length - 1) : m[1];
  const target = targetOf(word);
  if (target === null) return null;
  // The standalone binary's own preload adds itself (binary_preload.ts).
  if (target === "self") return command;
  // Only a plain rest: the options up to the script (no variable, no operator before it).
  const rest = strSlice(command, m[0].length);
  const words = words_(rest);
  const args = withPreload(target, words, own);
  if (args === null) return null;
  const added = target === "deno" && words[0] === "run"
    ? "run " + shellQuote(args[1] as string) + " " + shellQuote(args[2] as string) + " " +
      strSlice(rest, 3)
    : shellQuote(args[0] as string) + " " + shellQuote(args[1] as string) + " " + rest;
  return strSlice(command, 0, m[0].length) + added;
}

/**
 * node:child_process on Node and Deno: each function that starts a runtime's process on a
 * command gets the preload and the settings (Bun's go through Bun.spawn: followBun).
 */
function followNodeChildren(config: ChildConfig, own: string): void {
  // deno-lint-ignore no-explicit-any
  const cp = (process as any).getBuiltinModule?.("node:child_process") as
    | Record<string, unknown>
    | undefined;
  if (cp === undefined) return;
  // The real ones (Deno's fork is done with spawn).
  const real = { cp, fork: cp.fork as Fn, spawn: cp.spawn as Fn | undefined };
  // fork(modulePath[, args][, options]): a process of this runtime.
  replace(cp, "fork", (fork) => (_real: unknown, self: unknown, args: unknown[]) => {
    const { list: given, at, rest } = argsOf(args, true);
    const options = isOptions(args[at]) ? args[at] : undefined;
    const d = options !== undefined ? getOwn(options, "execArgv") : undefined;
    const execArgv = d === undefined ? process.execArgv : d.value;
    if ((d !== undefined && !hasOwn(d, "value")) || !isArray(execArgv)) {
      return reflectApply(fork, self, args);
    }
    if (G.Deno !== undefined) return forkOnDeno(config, real, self, args, at, execArgv);
    const { text, started } = settingsFor(config, "process");
    const list = withPreload("node", execArgv, own) as unknown[];
    let opts = withOwn(options, "execArgv", list);
    opts = withOwn(opts, "env", envWith(options, text));
    const call = [args[0], given ?? [], opts];
    for (let i = rest; i < args.length; i++) call[call.length] = args[i];
    return started_(config, reflectApply(fork, self, call), started);
  });
  // spawn/execFile(file[, args][, options][, callback]) and their sync forms.
  for (const name of ["spawn", "spawnSync", "execFile", "execFileSync"]) {
    replace(cp, name, (fn) => (_real: unknown, self: unknown, args: unknown[]) => {
      const file = args[0];
      const { list: given, at, rest } = argsOf(args, true);
      const options = isOptions(args[at]) ? args[at] : undefined;
      const shell = options !== undefined ? getOwn(options, "shell") : undefined;
      let target = targetOf(file);
      if (shell !== undefined && (!hasOwn(shell, "value") || shell.value)) target = null;
      const preloaded = target === null ? null : withPreload(
        target,
        given ?? [],
        own,
        G.Deno !== undefined && file === process.execPath,
      );
      if (preloaded === null) return reflectApply(fn, self, args);
      const stdio = options !== undefined ? getOwn(options, "stdio")?.value : undefined;
      let ipc = false;
      if (isArray(stdio)) { for (let i = 0; i < stdio.length; i++) ipc ||= stdio[i] === "ipc"; }
      const { text, started } = settingsFor(config, "process", undefined, ipc);
      const call: unknown[] = [file, preloaded, withOwn(options, "env", envWith(options, text))];
      for (let i = rest; i < args.length; i++) call[call.length] = args[i];
      return started_(config, reflectApply(fn, self, call), started);
    });
  }
  // exec(command[, options][, callback]) and execSync: a shell command whose first word runs a
  // runtime.
  for (const name of ["exec", "execSync"]) {
    replace(cp, name, (fn) => (_real: unknown, self: unknown, args: unknown[]) => {
      const command = typeof args[0] === "string" ? shellWithPreload(args[0], own) : null;
      if (command === null) return reflectApply(fn, self, args);
      const { at, rest } = argsOf(args, false);
      const options = isOptions(args[at]) ? args[at] : undefined;
      const { text, started } = settingsFor(config, "process");
      const call: unknown[] = [command, withOwn(options, "env", envWith(options, text))];
      for (let i = rest; i < args.length; i++) call[call.length] = args[i];
      return started_(config, reflectApply(fn, self, call), started);
    });
  }
}

type Fn = (...args: unknown[]) => unknown;

/** A child just started (a ChildProcess, or spawnSync's result): its pid, and its line. */
function started_(config: ChildConfig, child: unknown, started: Followed): unknown {
  const pid = child !== null && typeof child === "object"
    ? (child as { pid?: unknown }).pid
    : undefined;
  started.pid = typeof pid === "number" ? pid : null;
  listChild(config, started);
  return child;
}

/**
 * Deno's fork passes Node's options to V8 and drops `--require`: a script with no option of
 * Node's is started as Deno's fork starts it (`deno run -A`, an IPC channel as its fourth stdio),
 * with the preload.
 */
function forkOnDeno(
  config: ChildConfig,
  real: { cp: object; fork: Fn; spawn: Fn | undefined },
  self: unknown,
  args: unknown[],
  at: number,
  execArgv: unknown[],
): unknown {
  const modulePath = args[0];
  const options = isOptions(args[at]) ? args[at] as Record<string, unknown> : undefined;
  // A cluster's worker (NODE_UNIQUE_ID): Deno 2.9 never runs its main module after a preload.
  const env = options !== undefined ? getOwn(options, "env")?.value : undefined;
  const cluster = env !== null && typeof env === "object" && hasOwn(env, "NODE_UNIQUE_ID");
  if (
    execArgv.length > 0 || typeof modulePath !== "string" || real.spawn === undefined || cluster
  ) {
    return reflectApply(real.fork, self, args);
  }
  const { text, started } = settingsFor(config, "process", undefined, true);
  const rest = isArray(args[1]) ? args[1] : [];
  const list: unknown[] = ["run", "-A", "--preload", PRELOAD, modulePath];
  for (let i = 0; i < rest.length; i++) list[list.length] = rest[i];
  const silent = options !== undefined && getOwn(options, "silent")?.value === true;
  const given = options !== undefined ? getOwn(options, "stdio")?.value : undefined;
  let stdio: unknown[] = silent ? ["pipe", "pipe", "pipe"] : ["inherit", "inherit", "inherit"];
  let ipc = false;
  if (isArray(given)) {
    stdio = [];
    for (let i = 0; i < given.length; i++) {
      stdio[i] = given[i];
      if (given[i] === "ipc") ipc = true;
    }
  }
  if (!ipc) stdio[stdio.length] = "ipc";
  let opts = withOwn(options, "stdio", stdio);
  opts = withOwn(opts, "env", envWith(options, text));
  return started_(
    config,
    reflectApply(real.spawn, real.cp, [process.execPath, list, opts]),
    started,
  );
}

/**
 * Bun.spawn and Bun.spawnSync (bun_children.ts), through which Bun's child_process goes: a
 * runtime's command gets the preload and the settings. Null when following is off.
 */
export function bunFollow(config: ChildConfig, own: string): BunFollow | null {
  if (config.follow === false || config.tests !== undefined) return null;
  binary = G.Bun !== undefined && own !== PRELOAD && own !== BUN_PRELOAD;
  return (cmd) => {
    if (!isArray(cmd)) return null;
    // Bun's exec(): a shell running the command line.
    const shell = cmd.length >= 3 && cmd[1] === "-c" && typeof cmd[2] === "string" &&
        typeof cmd[0] === "string" && regexTest(SHELLS, cmd[0])
      ? shellWithPreload(cmd[2], own)
      : null;
    const target = shell !== null ? null : targetOf(cmd[0]);
    if (shell === null && target === null) return null;
    if (shell !== null) {
      const { text, started } = settingsFor(config, "process");
      const full: unknown[] = [];
      for (let i = 0; i < cmd.length; i++) full[i] = i === 2 ? shell : cmd[i];
      return {
        cmd: full,
        env: (options, base) => envWith(options, text, base),
        started: (proc) => bunStarted(config, started, proc),
      };
    }
    const rest: unknown[] = [];
    for (let i = 1; i < cmd.length; i++) rest[i - 1] = cmd[i];
    const args = withPreload(target as Target, rest, own);
    if (args === null) return null;
    const { text, started } = settingsFor(config, "process");
    const full: unknown[] = [cmd[0]];
    for (let i = 0; i < args.length; i++) full[i + 1] = args[i];
    return {
      cmd: full,
      env: (options, base) => envWith(options, text, base),
      started: (proc) => bunStarted(config, started, proc),
    };
  };
}

/** A URL's scheme. */
const SCHEME = new RegExp("^[a-z]+:");

/** `head` then `list`'s items (no spread: the program may have patched arrays' iterator). */
function before(head: unknown[], list: readonly unknown[]): unknown[] {
  for (let i = 0; i < list.length; i++) head[head.length] = list[i];
  return head;
}

/** A text's words, split at white space (ASCII), without empty ones. */
function words_(text: string): string[] {
  const out: string[] = [];
  let word = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === " " || c === "\t" || c === "\n") {
      if (word !== "") out[out.length] = word;
      word = "";
    } else word += c;
  }
  if (word !== "") out[out.length] = word;
  return out;
}

/** The shells Bun's exec() runs a command line with. */
const SHELLS = new RegExp("(^|/)(ba|da|z)?sh$");

/** A command Bun started: its pid, and its line in `.children`. */
function bunStarted(config: ChildConfig, started: Followed, proc: unknown): void {
  const pid = proc !== null && typeof proc === "object"
    ? (proc as { pid?: unknown }).pid
    : undefined;
  started.pid = typeof pid === "number" ? pid : null;
  listChild(config, started);
}

/** Deno.Command: a `deno run -A` command (or Node's, Bun's) gets the preload and the settings. */
function followDenoCommand(config: ChildConfig, own: string): void {
  const deno = G.Deno;
  const Real = deno?.Command;
  if (typeof Real !== "function") return;
  const proxy = standIn(Real, {
    construct(target: NewableFunction, args: unknown[], newTarget: NewableFunction) {
      const file = args[0] instanceof URL ? decode(args[0].pathname) : args[0];
      const runtimeOf = targetOf(file);
      const options = isOptions(args[1]) ? args[1] : undefined;
      const d = options !== undefined ? getOwn(options, "args") : undefined;
      const given = d === undefined ? [] : d.value;
      const preloaded = runtimeOf === null || !isArray(given)
        ? null
        : withPreload(runtimeOf, given, own);
      if (preloaded === null) return reflectConstruct(target, args, newTarget);
      const { text, started } = settingsFor(config, "process");
      let opts = withOwn(options, "args", preloaded);
      // Deno.Command adds `env` to the process's environment (unless clearEnv).
      const env = options !== undefined ? getOwn(options, "env") : undefined;
      const hasEnv = env !== undefined && env.value !== null && typeof env.value === "object";
      // Deno.Command adds `env` to the process's environment: the program's own value may be in
      // either.
      const was = hasEnv && hasOwn(env.value, FOLLOW_ENV)
        ? env.value[FOLLOW_ENV]
        : getOwn(options ?? {}, "clearEnv")?.value === true
        ? undefined
        : process.env[FOLLOW_ENV];
      const extra = hasEnv
        ? withOwn(env.value, FOLLOW_ENV, withFollowWas(text, was))
        : { [FOLLOW_ENV]: withFollowWas(text, was) };
      opts = withOwn(opts, "env", extra);
      const call: unknown[] = [args[0], opts];
      for (let i = 2; i < args.length; i++) call[i] = args[i];
      const command = reflectConstruct(target, call, newTarget);
      // Its process starts at spawn()/output()/outputSync(): listed now, with no pid yet.
      listChild(config, started);
      return command;
    },
  });
  deno.Command = proxy;
}

/**
 * A Deno worker's module as a URL: a web worker's resolved from the main module, a
 * node:worker_threads one's given as a URL or a path; null for one not followed (code given as
 * text with `eval`, a module that is not a file's).
 */
function denoWorkerURL(entry: unknown, options: unknown, web: boolean): string | null {
  if (!web && isOptions(options) && getOwn(options, "eval")?.value) return null;
  try {
    const spec = entry instanceof URL ? entry.href : typeof entry === "string" ? entry : null;
    if (spec === null) return null;
    const url = web || entry instanceof URL || regexTest(SCHEME, spec)
      ? new URL(spec, G.Deno.mainModule)
      : new URL(spec[0] === "/" ? "file://" + spec : spec, "file://" + process.cwd() + "/");
    return url.protocol === "file:" ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * node:worker_threads' Worker (all three runtimes) and the web's (Bun's, Deno's): each worker
 * gets the settings in its environment data; Bun's the preload as an option.
 */
function followWorkers(config: ChildConfig, own: string): void {
  const wrap = (Real: NewableFunction, web: boolean): NewableFunction => {
    const proxy = standIn(Real, {
      construct(target: NewableFunction, args: unknown[], newTarget: NewableFunction) {
        // tph's own (the clock, the parser's).
        if (makingOwnWorker()) return reflectConstruct(target, args, newTarget);
        const entry = args[0];
        const where = entry instanceof URL ? entry.href : typeof entry === "string" ? entry : "";
        const { text, started } = settingsFor(config, "worker", [where]);
        let call = args;
        if (G.Deno !== undefined) {
          // Deno runs no preload in a worker: the worker's module is one that imports the
          // preload, with the settings in its URL, and then the worker's own.
          const url = denoWorkerURL(entry, args[1], web);
          if (url === null) return reflectConstruct(target, args, newTarget);
          const preload = plainJSON(PRELOAD_URL.href + "?follow=" + encode(text));
          // A web worker gets its flags in its first message (no environment data there).
          const code = web
            ? `import { holdMessages, takeAsk } from ${preload}; await takeAsk(); ` +
              `const go = holdMessages(true); try { await import(${plainJSON(url)}); } ` +
              `finally { go(); }`
            : `import { holdMessages } from ${preload}; const go = holdMessages(false); ` +
              `try { await import(${plainJSON(url)}); } finally { go(); }`;
          call = [new URL("data:text/javascript," + encode(code))];
          for (let i = 1; i < args.length; i++) call[i] = args[i];
          if (web) call[0] = (call[0] as URL).href;
        } else if (G.Bun === undefined) {
          // Node runs its `--require` modules in a worker unless the worker is given options of
          // its own: then with tph's among them (the worker's preload takes it out again).
          const options = args[1];
          const d = isOptions(options) ? getOwn(options, "execArgv") : undefined;
          if (d !== undefined && hasOwn(d, "value") && isArray(d.value)) {
            const list: unknown[] = ["--require", NODE_PRELOAD];
            for (let i = 0; i < d.value.length; i++) list[i + 2] = d.value[i];
            call = [entry, withOwn(options, "execArgv", list)];
            for (let i = 2; i < args.length; i++) call[i] = args[i];
          }
        } else {
          const preload = own === NODE_PRELOAD ? PRELOAD : own;
          const options = args[1];
          const d = isOptions(options) ? getOwn(options, "preload") : undefined;
          const list: unknown[] = [preload];
          if (d !== undefined && hasOwn(d, "value")) {
            const v = d.value;
            if (isArray(v)) { for (let i = 0; i < v.length; i++) list[list.length] = v[i]; }
            else if (typeof v === "string") list[1] = v;
          }
          call = [entry, withOwn(options, "preload", list)];
          for (let i = 2; i < args.length; i++) call[i] = args[i];
        }
        let before: unknown, beforeAsk: unknown;
        const flags = new Int32Array(new SharedArrayBuffer(8));
        try {
          before = wt().getEnvironmentData(FOLLOW_DATA);
          beforeAsk = wt().getEnvironmentData(ASK_DATA);
          wt().setEnvironmentData(FOLLOW_DATA, text);
          wt().setEnvironmentData(ASK_DATA, flags.buffer);
        } catch {
          return reflectConstruct(target, args, newTarget);
        }
        let worker: { threadId?: unknown };
        try {
          worker = reflectConstruct(target, call, newTarget);
        } finally {
          wt().setEnvironmentData(FOLLOW_DATA, before);
          wt().setEnvironmentData(ASK_DATA, beforeAsk);
        }
        if (worker !== null && typeof worker === "object") askOf.set(worker, flags);
        if (G.Deno !== undefined && web && webPost !== undefined) {
          reflectApply(webPost, worker, [{ [ASK_MESSAGE]: flags.buffer }]);
        }
        asks[asks.length] = flags;
        const id = worker?.threadId;
        if (typeof id === "number") started.thread = id;
        listChild(config, started);
        return worker;
      },
    });
    return proxy;
  };
  if (wt() === undefined) return;
  const webPost = G.Deno !== undefined ? G.Worker?.prototype?.postMessage : undefined;
  saveBeforeTerminate(wt().Worker);
  if (G.Bun !== undefined || G.Deno !== undefined) saveBeforeTerminate(G.Worker);
  if (typeof wt().Worker === "function") wt().Worker = wrap(wt().Worker, false);
  if ((G.Bun !== undefined || G.Deno !== undefined) && typeof G.Worker === "function") {
    G.Worker = wrap(G.Worker, true);
  }
}

/**
 * Follow the processes and workers the program starts (not with `tph test`).
 *
 * @param config The run's settings.
 * @param own The preload this process ran (its path).
 */
export function followChildren(config: ChildConfig, own: string): void {
  binary = G.Bun !== undefined && own !== PRELOAD && own !== BUN_PRELOAD;
  if (config.follow === false || config.tests !== undefined) return;
  followConfig = config;
  const follow = () => {
    if (G.Bun === undefined) followNodeChildren(config, own);
    if (G.Deno !== undefined) followDenoCommand(config, own);
    followWorkers(config, own);
  };
  if (G.Bun === undefined && G.Deno === undefined && followWhenLoaded(follow)) return;
  follow();
  // ES modules' bindings of the built-ins follow their exports (Node's; Deno's child_process).
  // deno-lint-ignore no-explicit-any
  const mod = (process as any).getBuiltinModule?.("node:module");
  try {
    mod?.syncBuiltinESMExports?.();
  } catch {
    // Not on this runtime: `import { spawn }` keeps the real one.
  }
}

/**
 * The built-ins whose first load makes Node's follow (followWhenLoaded): child_process and
 * worker_threads, and those that take functions of child_process as they load (cluster's `fork`,
 * node:test's `spawn`).
 */
const FOLLOW_TRIGGERS = new SafeSet(["child_process", "cluster", "test", "worker_threads"]);

/**
 * On Node, patch child_process and worker_threads only when the program first loads one of
 * FOLLOW_TRIGGERS, not in every run (loading them is ~4 ms of a run's start, more on a busy
 * machine): Node's load hook is told of each built-in a module imports or requires before that
 * module gets it (loader/node.ts), and `process.getBuiltinModule` is wrapped, printed as Node's.
 *
 * No ES module has bound their exports yet then (Node makes a built-in's ES module, copying its
 * exports, after the load hook): unlike patching them before the program, this needs no
 * `syncBuiltinESMExports`, which, called while the program runs, would also hand ES modules what
 * the program changed in other built-ins' exports.
 *
 * @param follow Patches them (once).
 * @returns false where it cannot be done (no load hook, no such `process.getBuiltinModule`, one of
 *   them loaded already, by a preload before tph's): then the caller patches them now.
 */
function followWhenLoaded(follow: () => void): boolean {
  // deno-lint-ignore no-explicit-any
  const p = process as any;
  const real = p.getBuiltinModule;
  const d = getOwn(p, "getBuiltinModule");
  if (typeof real !== "function" || d === undefined || !hasOwn(d, "value") || !d.configurable) {
    return false;
  }
  const list = p.moduleLoadList;
  if (!isArray(list)) return false;
  for (let i = 0; i < list.length; i++) {
    const m = list[i];
    if (m === "NativeModule child_process" || m === "NativeModule worker_threads") return false;
  }
  let done = false;
  const seen = (id: unknown): void => {
    if (done || typeof id !== "string") return;
    if (!FOLLOW_TRIGGERS.has(strStartsWith(id, "node:") ? strSlice(id, 5) : id)) return;
    done = true;
    follow();
  };
  if (!onBuiltinLoad(seen)) return false;
  const getBuiltinModule = standIn(real, {
    apply(_real, self, args) {
      seen(args[0]);
      return reflectApply(real, self, args);
    },
  });
  defineProperty(p, "getBuiltinModule", { ...d, value: getBuiltinModule });
  return true;
}
