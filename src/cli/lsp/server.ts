// `tph lsp`: a language server (LSP 3.17, over stdio) that shows a stored run's calls at the
// functions they called, in any editor: inlay hints (how many calls, the last or failing call's
// arguments and result), hover (the calls, their timing, callers and callees; a parameter's
// values), code lenses and commands (a call's tree, the runs to choose from), and diagnostics
// where a call threw. It reads the runs tph stored (run_digest.ts) and never runs the program.
// The run shown is the newest, followed as new ones are stored (the cache folder watched, and
// watched again when it is removed and made again: watch_cache.ts), or the one a command chose.
// Every text sent is escaped (clientTexts); every field of the client's params used is checked.

import { ERRORS, frame, type Message, MessageReader } from "./protocol.ts";
import {
  callAt,
  digestRaw,
  digestRun,
  DISTINCT_COUNTED,
  resultsOf,
  type RunDigest,
  subtreeAt,
} from "./run_digest.ts";
import { listRuns, type RunEntry } from "../../store/list_runs.ts";
import { renderTree } from "../../render/tree.ts";
import { safeText } from "../../render/safe_text.ts";
import { VERSION } from "../../version.ts";
import { lineHash, spanHash } from "../../platform/hash.ts";
import { pathToFileURL } from "node:url";
import type { CallNodeJSON } from "../../types.ts";
import type { FunctionEntry } from "../../run_file/format.ts";

/** What the server reads and writes, and where the runs are. */
export interface ServerIo {
  /** The folder of stored runs. */
  cacheDir: string;
  /** The project's folder (messages show paths relative to it). */
  cwd: string;
  /** Write framed bytes to the client. */
  write(bytes: Uint8Array): void;
  /** A line for the client's log (stderr). */
  log(line: string): void;
  /**
   * Be told when something in the cache folder changed (new runs); returns a function that stops
   * watching. Absent: no following (tests).
   */
  watch?(changed: () => void): () => void;
  /** `tph diff --filter NAME older newer`'s text (tph.compareRuns). */
  diff?(older: string, newer: string, filter: string): string;
  /** `tph view --html`: write the run's page beside it; its path (tph.openPage). */
  page?(run: string): Promise<string>;
}

/** The server's settings (initializationOptions), with their defaults. */
interface Settings {
  /** The longest inlay hint, in characters. */
  hintWidth: number;
}

const DEFAULT_SETTINGS: Settings = { hintWidth: 60 };

/** A function of the run as it stands in an open document. */
interface Placed {
  fn: number;
  /** 0-based line in the document. */
  line: number;
  /** Its text changed since the run: no calls are shown there, only that it changed. */
  stale: boolean;
}

/** An open document: its lines, and their hashes once asked for (placing functions by text). */
interface Doc {
  lines: string[];
  hashes: number[] | null;
}

/** How long the client is quiet before a raw run's full digest is made (#completeWhenIdle). */
const IDLE_MS = 200;

/** LSP's severity Information, and its inlay hint kinds. */
const INFORMATION = 3;

/** The commands the server runs (workspace/executeCommand). */
export const COMMANDS = [
  "tph.showTree",
  "tph.listRuns",
  "tph.useRun",
  "tph.compareRuns",
  "tph.openPage",
] as const;

/**
 * A language server over `io`: feed it the client's bytes with `receive`; it answers through
 * `io.write`. `done` resolves with the exit code when the client sends `exit` (0 after `shutdown`).
 */
export class TphLanguageServer {
  readonly #io: ServerIo;
  readonly #reader = new MessageReader();
  #settings: Settings = { ...DEFAULT_SETTINGS };
  #initialized = false;
  #shutdown = false;
  /** The run chosen by tph.useRun (its path), or null: the newest. */
  #chosen: string | null = null;
  #digest: RunDigest | null = null;
  /** Why no run is shown (no runs yet, an unreadable one), for hover and the log. */
  #noRun = "";
  /** The open documents' lines, by URI (split once per change). */
  readonly #docs = new Map<string, Doc>();
  #stopWatching: (() => void) | null = null;
  #nextId = 1;
  #resolveDone!: (code: number) => void;
  /** Resolves with the exit code once the client said `exit`. */
  readonly done: Promise<number> = new Promise((r) => (this.#resolveDone = r));
  #refreshTimer: ReturnType<typeof setTimeout> | null = null;
  #completeTimer: ReturnType<typeof setTimeout> | null = null;
  #canRefreshHints = false;

  constructor(io: ServerIo) {
    this.#io = io;
  }

  /** Bytes from the client. */
  receive(chunk: Uint8Array): void {
    if (this.#completeTimer !== null) this.#completeWhenIdle();
    for (const read of this.#reader.push(chunk)) {
      if ("problem" in read) {
        this.#io.log(`tph lsp: the client's stream is broken (${read.problem}): stopping`);
        this.#end(1);
        return;
      }
      if ("invalid" in read) {
        this.#send({ id: null, error: { code: ERRORS.parseError, message: read.invalid } });
        continue;
      }
      this.#handle(read.message);
    }
  }

  /** The client went away (stdin closed) without `exit`. */
  closed(): void {
    this.#end(this.#shutdown ? 0 : 1);
  }

  #end(code: number): void {
    this.#stopWatching?.();
    this.#stopWatching = null;
    if (this.#refreshTimer !== null) clearTimeout(this.#refreshTimer);
    if (this.#completeTimer !== null) clearTimeout(this.#completeTimer);
    this.#digest?.file?.close();
    this.#digest = null;
    this.#resolveDone(code);
  }

  /** Send a message, every text in it escaped (clientTexts). */
  #send(message: Message): void {
    const out: Message = { ...message };
    if (out.params !== undefined) out.params = clientTexts(out.params);
    if (out.result !== undefined) out.result = clientTexts(out.result);
    if (out.error !== undefined) out.error = { ...out.error, message: safeText(out.error.message) };
    this.#io.write(frame(out));
  }

  #handle(m: Message): void {
    const isRequest = m.id !== undefined && m.id !== null && typeof m.method === "string";
    if (typeof m.method !== "string") return; // a response to one of ours: nothing to do
    if (m.method === "exit") return this.#end(this.#shutdown ? 0 : 1);
    if (!this.#initialized && m.method !== "initialize") {
      if (isRequest) {
        this.#send({
          id: m.id,
          error: { code: ERRORS.serverNotInitialized, message: "initialize first" },
        });
      }
      return;
    }
    const answer = (result: unknown) => {
      if (!isRequest) return;
      if (result === NOT_FOUND) {
        this.#send({
          id: m.id,
          error: { code: ERRORS.methodNotFound, message: `no method ${m.method}` },
        });
      } else this.#send({ id: m.id, result: result ?? null });
    };
    const fail = (e: unknown) => {
      const message = e instanceof ParamsError
        ? `${m.method}: ${e.message}`
        : `tph lsp: ${(e as Error).message}`;
      // A notification's params are answered by nobody: said in the log.
      if (!(e instanceof ParamsError)) this.#io.log(message);
      else if (!isRequest) this.#io.log(`tph lsp: ${message}`);
      if (isRequest) {
        const code = e instanceof ParamsError ? ERRORS.invalidParams : ERRORS.internalError;
        this.#send({ id: m.id, error: { code, message } });
      }
    };
    try {
      const result = this.#dispatch(m.method, m.params);
      // A command that writes a file answers when it is written; the others at once, in order.
      if (result instanceof Promise) result.then(answer, fail);
      else answer(result);
    } catch (e) {
      fail(e);
    }
  }

  #dispatch(method: string, params: unknown): unknown {
    // Params are checked before use: a field that is not what the method takes is named.
    const p = () => objectAt(params ?? {}, "params");
    switch (method) {
      case "initialize":
        return this.#initialize(p());
      case "initialized":
        return this.#afterInitialized();
      case "shutdown":
        this.#shutdown = true;
        return null;
      case "textDocument/didOpen": {
        const doc = objectAt(p().textDocument, "params.textDocument");
        const uri = stringAt(doc.uri, "params.textDocument.uri");
        const text = stringAt(doc.text, "params.textDocument.text");
        this.#docs.set(uri, { lines: linesOf(text), hashes: null });
        this.#publish(uri);
        return undefined;
      }
      case "textDocument/didChange": {
        const uri = uriOf(p());
        const changes = p().contentChanges;
        if (!Array.isArray(changes)) throw new ParamsError("params.contentChanges is not an array");
        // Whole documents (the sync the server asked for): the last one is the text.
        const texts = changes.map((c, i) =>
          stringAt(
            objectAt(c, `params.contentChanges[${i}]`).text,
            `params.contentChanges[${i}].text`,
          )
        );
        if (texts.length > 0) {
          this.#docs.set(uri, { lines: linesOf(texts[texts.length - 1]), hashes: null });
        }
        this.#publish(uri);
        return undefined;
      }
      case "textDocument/didClose": {
        const uri = uriOf(p());
        this.#docs.delete(uri);
        this.#send({
          method: "textDocument/publishDiagnostics",
          params: { uri, diagnostics: [] },
        });
        return undefined;
      }
      case "textDocument/inlayHint":
        return this.#inlayHints(uriOf(p()));
      case "textDocument/hover":
        return this.#hover(uriOf(p()), positionOf(p()));
      case "textDocument/codeLens":
        return this.#codeLenses(uriOf(p()));
      case "workspace/executeCommand": {
        const command = stringAt(p().command, "params.command");
        const args = p().arguments ?? [];
        if (!Array.isArray(args)) throw new ParamsError("params.arguments is not an array");
        return this.#command(command, args);
      }
    }
    // Notifications the server has no use for ($/cancelRequest, $/setTrace, didSave…).
    return NOT_FOUND;
  }

  #initialize(p: Record<string, unknown>): unknown {
    const options = objectAt(
      p.initializationOptions ?? {},
      "params.initializationOptions",
    ) as Partial<Settings>;
    const caps = objectAt(p.capabilities ?? {}, "params.capabilities") as {
      workspace?: { inlayHint?: { refreshSupport?: boolean } };
    };
    this.#initialized = true;
    if (typeof options.hintWidth === "number" && options.hintWidth >= 8) {
      this.#settings.hintWidth = Math.floor(options.hintWidth);
    }
    this.#canRefreshHints = caps?.workspace?.inlayHint?.refreshSupport === true;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: 1 },
        inlayHintProvider: true,
        hoverProvider: true,
        codeLensProvider: { resolveProvider: false },
        executeCommandProvider: { commands: [...COMMANDS] },
      },
      serverInfo: { name: "tph", version: VERSION },
    };
  }

  #afterInitialized(): undefined {
    this.#load();
    this.#stopWatching = this.#io.watch?.(() => this.#changed()) ?? null;
    return undefined;
  }

  /** Something in the cache changed: after a short calm, show the newest run if it is new. */
  #changed(): void {
    if (this.#refreshTimer !== null) clearTimeout(this.#refreshTimer);
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = null;
      if (this.#chosen !== null) return;
      const newest = this.#runs()[0]?.path ?? null;
      if (newest !== null && newest === this.#digest?.path) return;
      this.#load();
      this.#refresh();
    }, 150);
  }

  /** The runs in the cache, newest first. */
  #runs(): RunEntry[] {
    try {
      return listRuns(this.#io.cacheDir, { cwd: this.#io.cwd }).entries;
    } catch (e) {
      this.#noRun = (e as Error).message;
      return [];
    }
  }

  /** Read the run to show: the chosen one, else the newest. */
  #load(): void {
    this.#digest?.file?.close();
    this.#digest = null;
    const path = this.#chosen ?? pickRun(this.#runs())?.path ?? null;
    if (path === null) {
      this.#noRun ||= "no stored runs yet: record one with tph run <script> or tph test";
      return;
    }
    try {
      // What hints and diagnostics show, at once: of a raw run (just stored) from its columns,
      // of a run file by a scan that keeps nothing else (or its kept digest); the full digest
      // (and a raw run's run file) once the client is quiet, or first asked for (#complete).
      this.#digest = digestRaw(path) ?? digestRun(path, { first: true });
      this.#noRun = "";
      if (this.#digest.partial) this.#completeWhenIdle();
    } catch (e) {
      this.#noRun = `the run ${path} cannot be read: ${(e as Error).message}`;
      this.#io.log(`tph lsp: ${this.#noRun}`);
    }
  }

  /**
   * The full digest of a run shown by a partial one (a raw run's columns, digestRaw, or a first
   * scan): the run made a run file where it was raw, and digested (digestRun). Hover, lenses and
   * commands ask for it first; otherwise it is made once the client is quiet.
   */
  #complete(): void {
    if (this.#completeTimer !== null) clearTimeout(this.#completeTimer);
    this.#completeTimer = null;
    const d = this.#digest;
    if (d === null || !d.partial) return;
    // A raw run's bytes let go before the run file is made of them (read again there).
    this.#digest = null;
    d.file?.close();
    try {
      this.#digest = digestRun(d.path);
    } catch (e) {
      this.#digest = null;
      this.#noRun = `the run ${d.path} cannot be read: ${(e as Error).message}`;
      this.#io.log(`tph lsp: ${this.#noRun}`);
    }
  }

  /**
   * Make the full digest once no message came for IDLE_MS (an editor asks for a file's hints and
   * diagnostics right after it opens it: those are answered from the raw run's digest first).
   */
  #completeWhenIdle(): void {
    if (this.#completeTimer !== null) clearTimeout(this.#completeTimer);
    this.#completeTimer = setTimeout(() => this.#complete(), IDLE_MS);
  }

  /** Hints and diagnostics of every open document again (another run is shown). */
  #refresh(): void {
    for (const uri of this.#docs.keys()) this.#publish(uri);
    if (this.#canRefreshHints) {
      this.#send({ id: `tph-${this.#nextId++}`, method: "workspace/inlayHint/refresh" });
    }
  }

  /**
   * The run's functions in document `uri`, where they stand in its text now: where the run knows
   * a function's text (format 4), where lines of the same text stand (placeText), else stale at
   * the nearest line that names it; without, at the nearest line that names it (locate), looked
   * for from where the function around it moved. Nothing recorded inside the text of a function
   * that changed since the run (stale, or gone) is shown: not an external call made there, not a
   * function written there (itself changed, it is shown stale).
   */
  #placed(uri: string): Placed[] {
    const d = this.#digest;
    const doc = this.#docs.get(uri);
    if (d === null || doc === undefined) return [];
    const path = pathOfUri(uri);
    const fns = path === null ? undefined : d.byFile.get(path);
    if (fns === undefined) return [];
    // The functions whose text the run knows, placed by it (null: gone from the document).
    const byText = new Map<number, { line: number; stale: boolean } | null>();
    for (const fn of fns) {
      const entry = d.functions[fn];
      if (entry.length !== 9) continue;
      doc.hashes ??= doc.lines.map((l) => lineHash(l));
      const name = shortName(entry[0]);
      byText.set(fn, placeText(doc.lines, doc.hashes, name, entry[3] - 1, entry[7], entry[8]));
    }
    let anyChanged = false;
    for (const at of byText.values()) anyChanged ||= at === null || at.stale;
    const out: Placed[] = [];
    for (const fn of fns) {
      const entry = d.functions[fn];
      const line = entry[3] - 1;
      if (byText.has(fn)) {
        const at = byText.get(fn)!;
        if (at === null) continue;
        if (at.stale || !anyChanged || !aroundIn(d.functions, byText, fn).changed) {
          out.push({ fn, ...at });
        }
        continue;
      }
      const around = aroundIn(d.functions, byText, fn);
      if (around.changed) continue;
      const at = locate(doc.lines, shortName(entry[0]), line + around.moved);
      if (at >= 0) out.push({ fn, line: at, stale: false });
    }
    return out;
  }

  #inlayHints(uri: string): unknown[] {
    const d = this.#digest;
    if (d === null) return [];
    const lines = this.#docs.get(uri)?.lines ?? [];
    return this.#placed(uri).map(({ fn, line, stale }) => ({
      position: { line, character: lines[line].length },
      label: stale ? staleHint(d, fn) : hintText(d, fn, this.#settings.hintWidth),
      paddingLeft: true,
    }));
  }

  #hover(uri: string, pos: { line: number; character: number }): unknown {
    this.#complete();
    const d = this.#digest;
    if (d === null) {
      return this.#docs.has(uri)
        ? { contents: { kind: "markdown", value: `tph: ${this.#noRun}` } }
        : null;
    }
    const here = this.#placed(uri).find((p) => p.line === pos.line);
    if (here === undefined) return null;
    if (here.stale) return { contents: { kind: "markdown", value: staleHover(d, here.fn) } };
    const lineText = this.#docs.get(uri)?.lines[pos.line] ?? "";
    const word = wordAt(lineText, pos.character);
    const params = d.functions[here.fn][5];
    const value = word !== null && params.includes(word)
      ? paramHover(d, here.fn, word)
      : functionHover(d, here.fn);
    return { contents: { kind: "markdown", value } };
  }

  #codeLenses(uri: string): unknown[] {
    this.#complete();
    const d = this.#digest;
    if (d === null) return [];
    const lenses: unknown[] = [];
    for (const { fn, line, stale } of this.#placed(uri)) {
      if (stale) continue;
      const f = d.byFn[fn]!;
      const place = f.failing[f.failing.length - 1] ?? f.last!;
      const which = f.failing.length > 0 ? "a failing call" : "the last call";
      lenses.push({
        range: { start: { line, character: 0 }, end: { line, character: 0 } },
        command: {
          title: `tph: ${f.calls} call${f.calls === 1 ? "" : "s"} · tree of ${which}`,
          command: "tph.showTree",
          arguments: [{ run: d.path, position: place.position, start: place.start }],
        },
      });
      lenses.push({
        range: { start: { line, character: 0 }, end: { line, character: 0 } },
        command: {
          title: "compare with the previous run",
          command: "tph.compareRuns",
          arguments: [d.functions[fn][0]],
        },
      });
    }
    return lenses;
  }

  #command(name: string, args: unknown[]): unknown {
    this.#complete();
    switch (name) {
      case "tph.showTree": {
        const a = (args[0] ?? {}) as { run?: unknown; position?: unknown; start?: unknown };
        if (typeof a.position !== "number" || typeof a.start !== "number") {
          throw new ParamsError("tph.showTree takes { run, position, start } (a code lens's)");
        }
        const d = this.#digest;
        if (d === null || (a.run !== undefined && a.run !== d.path)) {
          throw new ParamsError("that call's run is no longer the one shown: ask again");
        }
        const { root, notRead } = subtreeAt(d, { position: a.position, start: a.start });
        let text = renderTree([root], { style: "unicode" });
        if (notRead > 0) {
          text += `\n(${notRead} more calls below, not read: tph tree shows them all)`;
        }
        return { title: `tph tree · ${root.name}`, text };
      }
      case "tph.listRuns":
        return this.#runs().map((e, i) => ({
          n: i + 1,
          id: e.id,
          path: e.path,
          label: e.run.label ?? null,
          timestamp: e.run.timestamp,
          calls: e.run.call_count,
          test: e.run.run?.test ?? null,
          shown: e.path === this.#digest?.path,
        }));
      case "tph.useRun": {
        const ref = args[0];
        if (ref === null || ref === undefined) this.#chosen = null;
        else {
          const runs = this.#runs();
          // By its number, id or path (as tph.listRuns sent it: escaped, or as it is).
          const hit = typeof ref === "number"
            ? runs[ref - 1]
            : runs.find((e) =>
              e.id === ref || e.path === ref || safeText(e.id) === ref || safeText(e.path) === ref
            );
          if (hit === undefined) {
            throw new ParamsError(`no stored run ${JSON.stringify(ref)}: see tph.listRuns`);
          }
          this.#chosen = hit.path;
        }
        this.#load();
        this.#refresh();
        return { shown: this.#digest?.path ?? null };
      }
      case "tph.compareRuns": {
        // The function's calls in the run shown against the run stored before it.
        const d = this.#digest;
        const fn = args[0];
        if (d === null) throw new ParamsError(`no run is shown: ${this.#noRun}`);
        if (typeof fn !== "string" || fn === "") {
          throw new ParamsError("tph.compareRuns takes a function's name");
        }
        const runs = this.#runs();
        const at = runs.findIndex((e) => e.path === d.path);
        const older = at < 0 ? undefined : runs[at + 1];
        if (older === undefined) {
          return { title: "tph diff", text: "No run was stored before this one." };
        }
        if (this.#io.diff === undefined) throw new Error("comparing runs is not set up");
        return {
          title: `tph diff --filter ${fn}`,
          text: this.#io.diff(older.path, d.path, fn),
        };
      }
      case "tph.openPage": {
        const d = this.#digest;
        if (d === null) throw new ParamsError(`no run is shown: ${this.#noRun}`);
        if (this.#io.page === undefined) throw new Error("writing pages is not set up");
        return this.#io.page(d.path).then((path) => ({ path, uri: pathToFileURL(path).href }));
      }
    }
    throw new ParamsError(`no command ${name}: the server runs ${COMMANDS.join(", ")}`);
  }

  /** Diagnostics of document `uri`: where a call threw. */
  #publish(uri: string): void {
    const d = this.#digest;
    const diagnostics: unknown[] = [];
    if (d !== null) {
      const lines = this.#docs.get(uri)?.lines ?? [];
      const by = whoseRun(d);
      for (const { fn, line, stale } of this.#placed(uri)) {
        const f = d.byFn[fn]!;
        if (f.threw === 0 || stale) continue;
        const node = callAt(d, f.failing[0]);
        diagnostics.push({
          range: { start: { line, character: 0 }, end: { line, character: lines[line].length } },
          severity: INFORMATION,
          source: "tph",
          message: safeText(
            `${f.threw} of ${f.calls} call${f.calls === 1 ? "" : "s"} threw: ${
              node.exception ?? "?"
            }` +
              (by === "" ? "" : ` (${by})`),
          ),
        });
      }
    }
    this.#send({ method: "textDocument/publishDiagnostics", params: { uri, diagnostics } });
  }
}

/** A document's lines, as LSP counts them (CRLF, CR or LF ends one). */
const linesOf = (text: string): string[] => text.split(/\r\n|\r|\n/);

/** A request's params were not what the method takes. */
class ParamsError extends Error {}

const NOT_FOUND = Symbol("not found");

/** `value` (the field `name` of params) as an object, or a ParamsError naming the field. */
function objectAt(value: unknown, name: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ParamsError(`${name} is ${value === undefined ? "missing" : "not an object"}`);
  }
  return value as Record<string, unknown>;
}

/** `value` (the field `name` of params) as a string, or a ParamsError naming the field. */
function stringAt(value: unknown, name: string): string {
  if (typeof value !== "string") {
    throw new ParamsError(`${name} is ${value === undefined ? "missing" : "not a string"}`);
  }
  return value;
}

/** `value` (the field `name` of params) as a line or character number (LSP's uinteger). */
function indexAt(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new ParamsError(
      `${name} is ${value === undefined ? "missing" : "not a whole number from 0"}`,
    );
  }
  return value;
}

function uriOf(p: Record<string, unknown>): string {
  return stringAt(objectAt(p.textDocument, "params.textDocument").uri, "params.textDocument.uri");
}

function positionOf(p: Record<string, unknown>): { line: number; character: number } {
  const pos = objectAt(p.position, "params.position");
  return {
    line: indexAt(pos.line, "params.position.line"),
    character: indexAt(pos.character, "params.position.character"),
  };
}

/**
 * What a message sends to the client, every text in it escaped as safeText escapes it: control
 * and bidi characters written as escapes, a text's line breaks kept where it has lines (a tree's
 * and a comparison's `text`, a hover's `value`). What the client sends back as it is stays so: a
 * document's `uri`, a command's `arguments`.
 */
export function clientTexts(value: unknown, lines = false): unknown {
  if (typeof value === "string") {
    return lines ? value.split("\n").map((l) => safeText(l)).join("\n") : safeText(value);
  }
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => clientTexts(v, lines));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = k === "uri" || k === "arguments"
      ? v
      : clientTexts(v, lines || k === "text" || k === "value");
  }
  return out;
}

/** The run to show by default: the newest, but a failing test's when tests ran last. */
export function pickRun(runs: RunEntry[]): RunEntry | undefined {
  const newest = runs[0];
  if (newest === undefined || newest.run.run?.test === undefined) return newest;
  // The newest runs are a test run's (tph test stores one per test): its failing test first.
  for (const e of runs) {
    const test = e.run.run?.test;
    if (test === undefined) break;
    if (test.outcome === "failed" || test.outcome === "timed out") return e;
  }
  return newest;
}

/** A file URI's path (file:///a/b.ts → /a/b.ts), or null for another scheme. */
export function pathOfUri(uri: string): string | null {
  if (!uri.startsWith("file://")) return null;
  try {
    let path = decodeURIComponent(new URL(uri).pathname);
    // Windows: file:///C:/x → C:/x.
    if (/^\/[A-Za-z]:\//.test(path)) path = path.slice(1);
    return path;
  } catch {
    return null;
  }
}

/** The name a function's text shows: `Cart.total` → `total`, `get size` → `size`. */
function shortName(qualname: string): string {
  const last = qualname.slice(qualname.lastIndexOf(".") + 1);
  return last.replace(/^(?:get|set|static|async)\s+/, "");
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * The line where a function named `name` recorded at line `at` stands now: `at` when its name is
 * there, else the nearest line that names it as a function is named (`name(`, `name =`, `name:`),
 * else -1 (its text changed since the run: no values are shown there). A function without a name
 * of its own is taken at its line.
 */
export function locate(lines: string[], name: string, at: number): number {
  const named = namingPattern(name);
  if (named === null) return at >= 0 && at < lines.length ? at : -1;
  for (const i of nearestFirst(at, lines.length, lines.length)) {
    if (named.test(lines[i])) return i;
  }
  return -1;
}

/** A line that names `name` as a function is named (`name(`, `name =`, `name:`, `name<`). */
function namingPattern(name: string): RegExp | null {
  return IDENTIFIER.test(name)
    ? new RegExp(`(?:^|[^\\w$])${name.replace(/\$/g, "\\$")}\\s*(?:\\(|=|:|<)`)
    : null;
}

/** A document's line indexes from `at` outwards, nearest first (earlier first), at most `far` off. */
function* nearestFirst(at: number, count: number, far: number): Generator<number> {
  if (at >= 0 && at < count) yield at;
  for (let k = 1; k <= far; k++) {
    if (at - k >= 0 && at - k < count) yield at - k;
    if (at + k >= 0 && at + k < count) yield at + k;
    if (at - k < 0 && at + k >= count) return;
  }
}

/** How far from its recorded line a function without a name of its own is looked for. */
const NEAR = 200;

/**
 * Where a function whose text the run knows (its first line `at`, `span` lines after it, their
 * hash `hash`) stands in a document now: the nearest line (from `at`) whose lines have that
 * hash, among the lines that name it as a function is named (locate), or near `at` for a
 * function without a name of its own; if none, stale at the nearest line that names it, or null
 * (renamed, or an unnamed function gone from near its place).
 */
export function placeText(
  lines: string[],
  hashes: number[],
  name: string,
  at: number,
  span: number,
  hash: number,
): { line: number; stale: boolean } | null {
  const named = namingPattern(name);
  let nearest = -1;
  for (const i of nearestFirst(at, lines.length, named === null ? NEAR : lines.length)) {
    if (named !== null && !named.test(lines[i])) continue;
    if (spanHash(hashes, i, span) === hash) return { line: i, stale: false };
    if (nearest < 0) nearest = i;
  }
  return named === null || nearest < 0 ? null : { line: nearest, stale: true };
}

/**
 * What the functions around function `fn` (in the run's text: the ones whose lines hold its
 * lines, of those whose text the run knows, `placed`) say of it: `changed`, one of them changed
 * since the run or is gone, so what the run recorded there is not shown; else how many lines the
 * innermost of them `moved`. A function without a text of its own (an external call, at its call's
 * line) is inside one whose lines hold its line; one with a text, inside one whose lines hold all
 * of its own and more.
 */
function aroundIn(
  functions: readonly FunctionEntry[],
  placed: ReadonlyMap<number, { line: number; stale: boolean } | null>,
  fn: number,
): { changed: boolean; moved: number } {
  const entry = functions[fn];
  const from = entry[3], to = from + (entry.length === 9 ? entry[7] : 0);
  let changed = false, moved = 0, inner = -1, innerSpan = Infinity;
  for (const [other, at] of placed) {
    const o = functions[other];
    if (other === fn || o.length !== 9) continue;
    const oFrom = o[3], oTo = oFrom + o[7];
    if (oFrom > from || oTo < to) continue;
    if (entry.length === 9 && oFrom === from && oTo === to) continue;
    if (at === null || at.stale) {
      changed = true;
      continue;
    }
    if (oFrom > inner || (oFrom === inner && o[7] < innerSpan)) {
      inner = oFrom;
      innerSpan = o[7];
      moved = at.line - (oFrom - 1);
    }
  }
  return { changed, moved: changed ? 0 : moved };
}

/** A call's arguments as a hint shows them: `(id=42, name="Alice")`. */
function argsText(node: CallNodeJSON): string {
  return "(" + Object.entries(node.args).map(([k, v]) => `${k}=${v}`).join(", ") + ")";
}

/** How a call ended: ` → value`, ` !! error`, or ` …` (it had not). */
function endText(node: CallNodeJSON): string {
  if (node.exception !== undefined) return ` !! ${node.exception}`;
  if (node.return_value !== null) return ` → ${node.return_value}`;
  return " …";
}

/** Cut `text` to `width` characters, with `…`. */
function cut(text: string, width: number): string {
  return text.length <= width ? text : text.slice(0, Math.max(1, width - 1)) + "…";
}

/** The hint of a function whose text changed since the run: its calls are not shown. */
function staleHint(d: RunDigest, fn: number): string {
  return `×${d.byFn[fn]!.calls} · changed since this run: run it again`;
}

/** A stale function's hover. */
function staleHover(d: RunDigest, fn: number): string {
  const f = d.byFn[fn]!;
  return `**${safeText(d.functions[fn][0])}** was called ${f.calls} time${
    f.calls === 1 ? "" : "s"
  } in the run, but its text has changed since: its calls are not shown here. Run it again ` +
    "(or pick another run) to see them.";
}

/**
 * An inlay hint: `×12 · (id=42) → { id: 42 }`, the last call's, or a failing one's, at most
 * `width` characters. Cut, a call that threw keeps its error: its arguments are cut
 * (`×4 · (sku="plum", cou…) !! RangeError: Not enough plum`), the error itself only when it alone
 * is too long.
 */
export function hintText(d: RunDigest, fn: number, width: number): string {
  const f = d.byFn[fn]!;
  const place = f.failing.length > 0 ? f.failing[f.failing.length - 1] : f.last!;
  const node = callAt(d, place);
  return safeText(fitHint(`×${f.calls} · `, argsText(node), endText(node), node, width));
}

/**
 * A hint of `head`, `args` and `end` in `width` characters: cut at its end, but a call that
 * threw (`node`) keeps its error, the arguments cut first (to `(…)`), then the error.
 */
function fitHint(
  head: string,
  args: string,
  end: string,
  node: Pick<CallNodeJSON, "exception">,
  width: number,
): string {
  const whole = head + args + end;
  if (whole.length <= width || node.exception === undefined) return cut(whole, width);
  // The arguments in the room the error leaves, their parentheses kept: `(sku="plum", cou…)`.
  const room = width - head.length - end.length;
  if (room >= 4) return head + "(" + cut(args.slice(1, -1), room - 2) + ")" + end;
  return head + "(…)" + cut(end, width - head.length - 3);
}

function duration(us: number): string {
  return us < 1000
    ? `${us} µs`
    : us < 1e6
    ? `${(us / 1000).toFixed(2)} ms`
    : `${(us / 1e6).toFixed(2)} s`;
}

/** Names of the functions in a count map, most first (`-1`: the run's top level). */
function namesOf(d: RunDigest, counts: Map<number, number>, max = 5): string {
  const list = [...counts].sort((a, b) => b[1] - a[1]);
  const shown = list.slice(0, max).map(([fn, n]) =>
    `${fn < 0 ? "(top level)" : d.functions[fn][0]} ×${n}`
  );
  if (list.length > max) shown.push(`and ${list.length - max} more`);
  return shown.length === 0 ? "none" : shown.join(", ");
}

/** Markdown code of run-made text: its backticks cannot close the block. */
function code(lines: string[]): string {
  const body = lines.map((l) => safeText(l)).join("\n");
  const fence = body.includes("```") ? "~~~~" : "```";
  return `${fence}text\n${body}\n${fence}`;
}

/** Who the run belongs to: its test, its request, its label, else nothing. */
export function whoseRun(d: Pick<RunDigest, "meta">): string {
  const test = d.meta.run?.test;
  if (test !== undefined) return `test ${test.name}${test.outcome ? `, ${test.outcome}` : ""}`;
  const req = d.meta.run?.request;
  if (req !== undefined) {
    const status = req.aborted ? "aborted" : req.status === null ? "no response" : req.status;
    return `request ${req.method} ${req.path}, ${status}`;
  }
  return d.meta.label ? `run ${d.meta.label}` : "";
}

/** A function's hover: its calls in the run, their timing, callers and callees. */
export function functionHover(d: RunDigest, fn: number): string {
  const f = d.byFn[fn]!;
  const name = d.functions[fn][0];
  const calls: string[] = [];
  for (const place of f.first) {
    const node = callAt(d, place);
    calls.push(`${name}${argsText(node)}${endText(node)}`);
  }
  const failing: string[] = [];
  for (const place of f.failing) {
    if (f.first.some((p) => p.position === place.position)) continue;
    const node = callAt(d, place);
    failing.push(`${name}${argsText(node)}${endText(node)}`);
  }
  const by = whoseRun(d);
  const parts = [
    `**${safeText(name)}** — ${f.calls} call${f.calls === 1 ? "" : "s"}` +
    (f.threw > 0 ? `, ${f.threw} threw` : "") + ` in run ${safeText(d.meta.timestamp ?? "")}` +
    (by === "" ? "" : ` (${safeText(by)})`),
    `total ${duration(f.totalUs)} · self ${duration(f.selfUs)}` +
    (f.awaitedUs > 0 ? ` · awaiting ${duration(f.awaitedUs)}` : ""),
    `First calls:\n${code(calls)}`,
  ];
  if (failing.length > 0) parts.push(`Failing calls:\n${code(failing)}`);
  const results = resultsOf(d, fn);
  if (f.calls > 1 && results.distinct > 1) {
    const lines = results.top.map((r) => `×${r.count}  ${cut(r.text, 120)}`);
    if (results.others > 0) {
      const more = results.distinct - results.top.length;
      lines.push(
        `×${results.others}  (${more}${
          results.distinct > DISTINCT_COUNTED ? " or more" : ""
        } other result${more === 1 ? "" : "s"})`,
      );
    }
    const different = results.distinct > DISTINCT_COUNTED
      ? `over ${DISTINCT_COUNTED}`
      : `${results.distinct}`;
    parts.push(`Results (${different} different):\n${code(lines)}`);
  }
  parts.push(`Called by: ${safeText(namesOf(d, f.callers))}`);
  parts.push(`Calls: ${safeText(namesOf(d, f.callees))}`);
  return parts.join("\n\n");
}

/** A parameter's hover: the values it took in the kept calls. */
export function paramHover(d: RunDigest, fn: number, param: string): string {
  const f = d.byFn[fn]!;
  const seen: string[] = [];
  const places = [...f.first, ...f.failing, ...(f.last ? [f.last] : [])];
  for (const place of places) {
    const v = callAt(d, place).args[param];
    if (v !== undefined && !seen.includes(v)) seen.push(v);
  }
  return `**${safeText(param)}** of ${safeText(d.functions[fn][0])} took:\n\n${code(seen)}`;
}

/** The word (an identifier) at `character` in `line`, or null. */
function wordAt(line: string, character: number): string | null {
  const isWord = (c: string | undefined) => c !== undefined && /[\w$]/.test(c);
  let a = character, b = character;
  while (a > 0 && isWord(line[a - 1])) a--;
  while (isWord(line[b])) b++;
  return b > a ? line.slice(a, b) : null;
}
