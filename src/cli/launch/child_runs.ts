// The runs of the processes and workers a traced program started (src/program/follow.ts): each
// wrote its run beside the program's, and each process listed those it started in its run's
// `.children` file. Once the program has ended and its run is stored, each child's run is stored
// as a run of its own, its meta naming its parent's run and the call that started it, and the
// parent's run lists its children by their stored ids.

import { basename, dirname, join } from "node:path";
import { addMeta, openRun } from "../../run_file/decode.ts";
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
      found.push({ ...started, file, parentFile: parent });
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
  const family = parentMeta(stored).timestamp;
  const listed = new Map<string, ChildRunJSON[]>();
  const paths: string[] = [];
  for (const child of children) {
    const parentStored = storedOf.get(child.parentFile) ?? stored;
    const parent = parentMeta(parentStored);
    const call = parent.calls.get(child.out) ?? null;
    const entry: ChildRunJSON = {
      run: null,
      call,
      kind: child.kind,
      pid: child.pid,
      ...(child.thread !== undefined ? { thread: child.thread } : {}),
      start_ms: parent.start === null ? 0 : Math.max(0, child.start - parent.start),
    };
    const list = listed.get(parentStored) ?? [];
    list.push(entry);
    listed.set(parentStored, list);
    const ending = takeLeftJSON(child.file, "ending") as ChildEnding | undefined;
    const error = takeLeft(child.file, "error");
    if (ending === undefined || error !== null) {
      removeLeft(child.file);
      continue;
    }
    const header = addMeta(child.file, {
      run: childInfo(ending, cwd),
      parent: {
        run: runIdOf(basename(parentStored)),
        timestamp: family,
        call,
        kind: child.kind,
        pid: child.pid,
        ...(child.thread !== undefined ? { thread: child.thread } : {}),
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
  for (const [path, list] of listed) addMeta(path, { children: list });
  return paths;
}

/** What a parent's run says of its children: the call that started each, by run file name. */
function parentMeta(
  path: string,
): { calls: Map<string, number | null>; start: number | null; timestamp: string } {
  const calls = new Map<string, number | null>();
  const file = openRun(path, { metaFirst: true });
  file.close();
  const meta = file.meta as { children?: { out?: unknown; call?: unknown }[] };
  for (const c of Array.isArray(meta.children) ? meta.children : []) {
    if (typeof c?.out === "string") calls.set(c.out, typeof c.call === "number" ? c.call : null);
  }
  const start = Date.parse(file.meta.timestamp);
  return { calls, start: isNaN(start) ? null : start, timestamp: file.meta.timestamp };
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
