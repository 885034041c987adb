// The runs of the processes and workers a traced program started (src/program/follow.ts): each
// wrote its run beside the program's, and each process listed those it started in its run's
// `.children` file. Once the program has ended and its run is stored, each child's run is stored
// as a run of its own, its meta naming its parent's run and the call that started it, and the
// parent's run lists its children by their stored ids.

import { basename, dirname, join } from "node:path";
import { addMeta, openRun, type RunMeta } from "../../run_file/decode.ts";
import {
  type ChildStarted,
  isProcessTemp,
  removeLeft,
  takeLeft,
  takeLeftJSON,
} from "../../run_file/process_files.ts";
import { storeRunFile } from "../../store/save_run.ts";
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
  for (let q = 0; q < queue.length; q++) {
    const parent = queue[q];
    let index = 0;
    for (const line of (takeLeft(parent, "children") ?? "").split("\n")) {
      if (line === "") continue;
      let started: ChildStarted;
      try {
        started = JSON.parse(line);
      } catch {
        continue;
      }
      if (typeof started?.out !== "string" || basename(started.out) !== started.out) continue;
      if (!isProcessTemp(started.out) || !started.out.endsWith(".tmp")) continue;
      const file = join(dir, started.out);
      if (found.length >= MAX_CHILDREN) {
        removeLeft(file);
        continue;
      }
      found.push({ ...started, file, parentFile: parent, index: index++ });
      queue.push(file);
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
  // Every run of the family is listed under the program's (list_runs.ts).
  const family = metaOf(stored).timestamp;
  // Each parent's `children`, as its process wrote them (in the order of its list).
  const lists = new Map<string, ChildRunJSON[]>();
  const paths: string[] = [];
  for (const child of children) {
    const parentStored = storedOf.get(child.parentFile) ?? stored;
    let list = lists.get(parentStored);
    if (list === undefined) {
      const meta = metaOf(parentStored);
      list = Array.isArray(meta.children) ? meta.children : [];
      lists.set(parentStored, list);
    }
    const entry = entryOf(list[child.index], child, metaOf(parentStored).timestamp);
    list[child.index] = entry;
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
