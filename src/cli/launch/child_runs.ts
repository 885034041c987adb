// The runs of the processes and workers a traced program started (src/program/follow.ts): each
// wrote its run beside the program's, and each process listed those it started in its run's
// `.children` file. Once the program has ended and its run is stored, each child's run is stored
// as a run of its own, its meta naming its parent's run and the call that started it, and the
// parent's run lists its children by their stored ids. One a server's request handler started
// belongs to that request's run (stored by the program as the request ended): the program lists
// it in `.request-children` with that run's file name and the call that started it, and it is
// stored under that run here, or under the program's run when that run is gone.

import { basename, dirname, join } from "node:path";
import { addMeta, openRun, type RunMeta } from "../../run_file/decode.ts";
import {
  type ChildStarted,
  isProcessTemp,
  removeLeft,
  type RequestChildLine,
  takeLeft,
  takeLeftJSON,
} from "../../run_file/process_files.ts";
import { storeRunFile } from "../../store/save_run.ts";
import { exists } from "../../platform/files.ts";
import { runIdOf } from "../../store/list_runs.ts";
import type { ChildEnding } from "../../program/settings.ts";
import type { ChildRunJSON, RunInfo } from "../../types.ts";

/** At most this many followed runs are stored for one program (a fork bomb stores no more). */
const MAX_CHILDREN = 1000;

/** A followed process's or worker's run file, as its parent listed it. */
export interface ChildRunFile extends ChildStarted {
  /** Its run file. */
  file: string;
  /** Its parent's run file (the program's, or another child's). */
  parentFile: string;
  /** Its place in its parent's list (and in its parent's run's `children`). */
  index: number;
  /**
   * Started by a request's handler: the file name of that request's run (in the cache), and the
   * call that started it there.
   */
  request?: { run: string; call: number | null };
}

/**
 * The followed processes and workers listed beside the run file `out`, and those they started,
 * parents first. The lists are removed; a name that is not a run file's of a traced process is
 * not taken (the list is the program's folder's: nothing else in it is touched).
 */
export function takeChildren(out: string): ChildRunFile[] {
  const dir = dirname(out);
  const found: ChildRunFile[] = [];
  const queue = [out];
  const take = (line: string, parent: string, index: number, request?: ChildRunFile["request"]) => {
    let started: ChildStarted;
    try {
      started = JSON.parse(line);
    } catch {
      return false;
    }
    if (typeof started?.out !== "string" || basename(started.out) !== started.out) return false;
    if (!isProcessTemp(started.out) || !started.out.endsWith(".tmp")) return false;
    const file = join(dir, started.out);
    if (found.length >= MAX_CHILDREN) {
      removeLeft(file);
      return false;
    }
    // Its own fields only (a request's child's line holds its request's too).
    const { kind, pid, thread, start } = started;
    found.push({
      out: started.out,
      kind,
      pid,
      ...(thread !== undefined ? { thread } : {}),
      start,
      file,
      parentFile: parent,
      index,
      ...(request !== undefined ? { request } : {}),
    });
    queue.push(file);
    return true;
  };
  // Those a server's request handlers started (the program's own only: a followed child serves
  // no request runs), each under its request's run.
  for (const line of (takeLeft(out, "request_children") ?? "").split("\n")) {
    if (line === "") continue;
    let linked: Partial<RequestChildLine>;
    try {
      linked = JSON.parse(line);
    } catch {
      continue;
    }
    const { run, index, call } = linked ?? {};
    if (typeof run !== "string" || !/^run_[\w.-]+$/.test(run)) continue;
    if (typeof index !== "number" || !Number.isInteger(index) || index < 0) continue;
    take(line, out, index, { run, call: typeof call === "number" ? call : null });
  }
  for (let q = 0; q < queue.length; q++) {
    const parent = queue[q];
    let index = 0;
    for (const line of (takeLeft(parent, "children") ?? "").split("\n")) {
      if (line === "") continue;
      if (take(line, parent, index)) index++;
    }
  }
  return found;
}

/** Remove the followed runs' files (the program's run is not stored). */
export function removeChildren(children: readonly ChildRunFile[]): void {
  for (const c of children) removeLeft(c.file);
}

/**
 * Store each followed run in the cache, linked to its parent's stored run, and list them in
 * their parents' runs.
 *
 * @param children takeChildren's list.
 * @param out The program's run file as it was written.
 * @param stored Where the program's run was stored.
 * @param cacheDir The run cache.
 * @param cwd The working folder the program ran in.
 * @returns The stored runs' paths, in the order the children started.
 */
export function storeChildren(
  children: readonly ChildRunFile[],
  out: string,
  stored: string,
  cacheDir: string,
  cwd: string,
): string[] {
  const storedOf = new Map<string, string>([[out, stored]]);
  // Every run of the family is listed under the program's (list_runs.ts), or under the request's
  // run that started it.
  const familyOf = new Map<string, string>([[stored, metaOf(stored).timestamp]]);
  // Each parent's `children`, as its process wrote them (in the order of its list).
  const lists = new Map<string, ChildRunJSON[]>();
  const paths: string[] = [];
  // A request's child whose request's run is gone goes after the program's own children.
  let extra = children.filter((c) => c.parentFile === out && c.request === undefined).length;
  for (const child of children) {
    let parentStored = storedOf.get(child.parentFile) ?? stored;
    let index = child.index;
    if (child.request !== undefined) {
      const requestRun = join(cacheDir, child.request.run);
      if (exists(requestRun)) parentStored = requestRun;
      else index = -1;
    }
    let list = lists.get(parentStored);
    if (list === undefined) {
      const meta = metaOf(parentStored);
      list = Array.isArray(meta.children) ? meta.children : [];
      lists.set(parentStored, list);
      if (!familyOf.has(parentStored)) familyOf.set(parentStored, meta.timestamp);
    }
    if (index < 0) index = Math.max(list.length, extra++);
    const family = familyOf.get(parentStored)!;
    const entry = entryOf(list[index], child, metaOf(parentStored).timestamp);
    list[index] = entry;
    const ending = takeLeftJSON(child.file, "ending") as ChildEnding | undefined;
    const error = takeLeft(child.file, "error");
    const header = ending === undefined || error !== null ? null : addMeta(child.file, {
      run: childInfo(ending, cwd),
      parent: {
        run: runIdOf(basename(parentStored)),
        timestamp: family,
        call: entry.call,
        kind: entry.kind,
        pid: entry.pid,
        ...(entry.thread !== undefined ? { thread: entry.thread } : {}),
      },
    });
    if (header === null) {
      removeLeft(child.file);
      continue;
    }
    const path = storeRunFile(child.file, header, { cacheDir });
    removeLeft(child.file);
    storedOf.set(child.file, path);
    familyOf.set(path, family);
    entry.run = runIdOf(basename(path));
    paths.push(path);
  }
  for (const [path, list] of lists) addMeta(path, { children: list });
  return paths;
}

/** A run's top-level fields (its calls are not read). */
function metaOf(path: string): RunMeta {
  const file = openRun(path, { metaFirst: true });
  file.close();
  return file.meta;
}

/** A child's entry in its parent's `children`: as its process wrote it, else from its list. */
function entryOf(written: unknown, child: ChildRunFile, parentTime: string): ChildRunJSON {
  const w = written as Partial<ChildRunJSON> | undefined;
  if (w !== null && typeof w === "object" && w.kind === child.kind) {
    return {
      run: null,
      call: typeof w.call === "number" ? w.call : null,
      kind: child.kind,
      pid: typeof w.pid === "number" ? w.pid : child.pid,
      ...(child.thread !== undefined ? { thread: child.thread } : {}),
      start_ms: typeof w.start_ms === "number" ? w.start_ms : 0,
    };
  }
  const start = Date.parse(parentTime);
  return {
    run: null,
    call: null,
    kind: child.kind,
    pid: child.pid,
    ...(child.thread !== undefined ? { thread: child.thread } : {}),
    start_ms: isNaN(start) ? 0 : Math.max(0, child.start - start),
  };
}

/** A followed run's `run` field, from how its process or worker said it ended. */
function childInfo(ending: ChildEnding, cwd: string): RunInfo {
  return {
    command: ending.command ?? [],
    cwd,
    runtime: ending.runtime?.name ?? "",
    runtime_version: ending.runtime?.version ?? "",
    ended: ending.ended,
    exit_code: ending.code ?? null,
    signal: ending.signal ?? null,
    ...(ending.error ? { error: ending.error } : {}),
    duration_ms: ending.duration_ms ?? 0,
  };
}
