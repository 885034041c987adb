// Where the exports that hold several runs draw each run, as Perfetto draws processes and
// threads: a run is a process of its own (the program's run, a followed child process's), except
// a followed worker's whose parent's run is in the export, which is threads of its parent's
// process. A followed run's main track names the call that started it (`worker 2 (started by
// runJob)`), and an arrow leaves that call, when it started it, for the child's first call.

import { basename } from "node:path";
import type { RunFile } from "../../run_file/decode.ts";
import { FN_EXTERNAL } from "../../run_file/call_state.ts";
import { runIdOf } from "../../store/list_runs.ts";
import { type RunSummary, runSummary, trackName } from "./summary.ts";

/** The thread numbers of each run drawn in a process: its track t is tidBase + t + 1. */
const TIDS_PER_RUN = 1_000_000;

/** What started a run whose parent's run is in the export. */
export interface StartedBy {
  /** The parent's index in the export's runs. */
  run: number;
  /** The call that started it, as the exports number calls (from 1); null when not recorded. */
  call: number | null;
  /** The traced function it was started in (the call's, or its nearest traced caller's). */
  name: string | null;
  /** When it started, in µs from the parent's start. */
  at: number;
  /** Its arrow's id: past every call's (see arrowIds). */
  arrow: number;
}

/** Where a run is drawn. */
export interface RunPlace {
  /** The process it is drawn in: 1, 2, … in the order of the runs drawn as processes. */
  pid: number;
  /** The run (index) whose process it is drawn in: its own, or its parent's for a worker. */
  processRun: number;
  /** It is a worker drawn as threads of its parent's process. */
  thread: boolean;
  /** Its tracks' thread numbers: tidBase + track + 1. */
  tidBase: number;
  /** The process's name (for a run drawn as a process). */
  processName: string;
  /** Its process's id on its machine, when known. */
  osPid: number | null;
  /** Its parent process's id on its machine, for a followed process, when known. */
  osParentPid: number | null;
  /** A followed worker's thread id. */
  osThread: number | null;
  /** What started it, when its parent's run is in the export. */
  startedBy: StartedBy | null;
  /** Its calls' arrows to the runs they started, by call number (from 1). */
  starts: Map<number, StartedBy[]>;
  /** A track's name. */
  trackName(track: number): string;
}

/** A run's link to its parent's run in the export. */
export interface ParentLink {
  /** The parent's index in the export's runs. */
  run: number;
  /** The call that started it, as the exports number calls (from 1); null when not recorded. */
  call: number | null;
  /** When it started, in ms from the parent's start. */
  startMs: number;
}

/**
 * Each run's parent in the export (its meta's `parent`, and the parent's `children` entry), or
 * null.
 */
export function parentLinks(files: readonly RunFile[]): (ParentLink | null)[] {
  const ids = new Map(files.map((f, k) => [runIdOf(basename(f.path)), k]));
  return files.map((f, self) => {
    const p = f.meta.parent;
    const parent = typeof p === "object" && p !== null && typeof p.run === "string"
      ? ids.get(p.run)
      : undefined;
    if (parent === undefined || parent === self) return null;
    const id = runIdOf(basename(f.path));
    const children = files[parent].meta.children;
    const listed = Array.isArray(children) ? children.find((c) => c?.run === id) : undefined;
    const call = isCount(listed?.call) ? listed.call : isCount(p?.call) ? p.call : null;
    const startMs = Number.isFinite(listed?.start_ms) ? Math.max(0, listed!.start_ms) : 0;
    return { run: parent, call: call === null ? null : call + 1, startMs };
  });
}

/**
 * Where each run is drawn.
 *
 * @param files The runs, in the export's order.
 */
export function placeRuns(files: readonly RunFile[]): RunPlace[] {
  const links = parentLinks(files);
  const parents = links.map((l) => l?.run ?? null);
  // Calls' arrows come first: theirs are numbered past every call of every run.
  let arrow = files.reduce((n, f) => n + f.meta.call_count, 0);
  const summaries = files.map((f) => runSummary(f.meta));
  const started = links.map((link): StartedBy | null =>
    link === null ? null : {
      run: link.run,
      call: link.call,
      name: link.call === null ? null : startedIn(files[link.run], link.call - 1),
      at: Math.round(link.startMs * 1000),
      arrow: ++arrow,
    }
  );
  // A worker is in its parent's process (its grandparent's, for a worker of a worker).
  const processRun = (k: number, seen = 0): number =>
    files[k].meta.parent?.kind === "worker" && parents[k] !== null && seen < files.length
      ? processRun(parents[k]!, seen + 1)
      : k;
  const places: RunPlace[] = [];
  const inProcess = new Map<number, number>();
  let pids = 0;
  files.forEach((f, k) => {
    const home = processRun(k);
    const thread = home !== k;
    const slot = inProcess.get(home) ?? 0;
    inProcess.set(home, slot + 1);
    const p = f.meta.parent;
    const kind = p?.kind;
    // A run that is not a followed one knows its pid from the workers it started.
    const children = Array.isArray(f.meta.children) ? f.meta.children : [];
    const osPid = isCount(p?.pid)
      ? p.pid
      : children.find((c) => c?.kind === "worker" && isCount(c.pid))?.pid ?? null;
    places.push(
      makePlace(summaries[k], {
        pid: thread ? 0 : ++pids,
        processRun: home,
        thread,
        tidBase: slot * TIDS_PER_RUN,
        osPid,
        osParentPid: null,
        osThread: kind === "worker" && isCount(p?.thread) ? p.thread : null,
        startedBy: started[k],
        starts: new Map(),
        kind,
        command: f.meta.run?.command,
      }),
    );
  });
  places.forEach((place, k) => {
    if (place.thread) place.pid = places[place.processRun].pid;
    const by = place.startedBy;
    if (by !== null) {
      if (files[k].meta.parent?.kind === "process") place.osParentPid = places[by.run].osPid;
      if (by.call !== null) {
        const list = places[by.run].starts.get(by.call) ?? [];
        list.push(by);
        places[by.run].starts.set(by.call, list);
      }
    }
  });
  return places;
}

/**
 * A followed worker as the exports and the page name it: `worker <thread id>`, else (a Deno web
 * worker has none) `worker <its script's name>`.
 */
export function workerName(thread: number | null, command: readonly string[] | undefined): string {
  if (thread !== null) return `worker ${thread}`;
  const first = Array.isArray(command) ? command[0] : undefined;
  const script = typeof first === "string"
    ? first.replace(/[?#].*$/, "").replace(/^.*[/\\]/, "")
    : "";
  return script === "" ? "worker" : `worker ${script}`;
}

function makePlace(
  summary: RunSummary,
  fields: Omit<RunPlace, "trackName" | "processName"> & {
    kind?: "process" | "worker";
    command?: string[];
  },
): RunPlace {
  const { kind, command, ...place } = fields;
  const by = place.startedBy?.name ? ` (started by ${place.startedBy.name})` : "";
  const who = kind === "worker" ? workerName(place.osThread, command) : null;
  return {
    ...place,
    processName: summary.title +
      (kind === "process" && place.osPid !== null ? ` (pid ${place.osPid})` : ""),
    trackName: (track) =>
      who === null
        ? trackName(track, summary) + (track === 0 ? by : "")
        : track === 0
        ? who + by
        : `${who} async ${track}`,
  };
}

/** A whole number from 0 up, as a run's meta may (or, damaged, may not) hold. */
function isCount(n: unknown): n is number {
  return Number.isSafeInteger(n) && (n as number) >= 0;
}

/** Thrown to stop a scan once the call is found. */
const FOUND = Symbol("found");

/**
 * The function a child was started in: the call numbered `call` (from 0) if it is traced code,
 * else its nearest traced caller's (`new Worker` is an external call of `runJob`'s).
 */
export function startedIn(file: RunFile, call: number): string | null {
  const names: (string | null)[] = [];
  const functions = file.functions;
  let ordinal = 0;
  let found: string | null = null;
  try {
    file.scan((r, depth) => {
      const here = ordinal++;
      if (here + r.descendants < call) {
        ordinal += r.descendants;
        return false;
      }
      const f = functions[r.fn];
      names.length = depth;
      names.push(f === undefined || (f[6] & FN_EXTERNAL) !== 0 ? null : f[0]);
      if (here === call) {
        found = names.findLast((n) => n !== null) ?? f?.[0] ?? null;
        throw FOUND;
      }
      return true;
    });
  } catch (e) {
    if (e !== FOUND) throw e;
  }
  return found;
}
