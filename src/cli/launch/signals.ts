// Signals sent to tph while the program runs. A signal sent to the process group (a terminal's
// Ctrl-C, `kill -INT -<pgid>`) reaches the program and tph alike; one sent to tph alone (`kill
// <pid>`, a process manager) reaches only tph, which passes it on. The program's process tells
// tph each signal it received, in a file beside its settings (SIGNALS_SUFFIX): tph passes a signal
// on only when the program did not receive it too within a short while, so that the program gets
// each signal once, as it would plainly. A signal that would kill the plain program (it has no
// listener of its own, as its process tells tph too) but whose process does not say it received
// it within SIGNAL_GRACE_MS (its event loop is held by a synchronous loop, where tph's own listener
// cannot run) ends it as the plain program would have been ended then: its process is killed and
// the run counts as ended by that signal, its calls not saved (signalCutShort). Loaded before the
// program starts (early_start.ts): no node: module.

import { type Child, onSignal, stdinIsTerminal } from "../../platform/process.ts";
import { readText } from "../../platform/files.ts";
import { SIGNALS_SUFFIX } from "../../program/settings.ts";

type Signal = "SIGINT" | "SIGTERM" | "SIGHUP";

/**
 * How long tph waits for the program to say it received a signal tph received, before passing it
 * on: the program's process tells it from a listener, which runs once its event loop turns (a
 * loaded machine takes tens of ms). A signal sent to tph alone reaches the program this much later.
 */
export const SIGNAL_WAIT_MS = 300;
/**
 * How long after passing a signal on tph waits for the program's process to say it received it,
 * when the program has no listener of its own (the signal would have killed it plainly): past it,
 * tph kills the process (SIGKILL), which its own listener, waiting for the event loop, cannot stop.
 */
export const SIGNAL_GRACE_MS = 2_000;
const POLL_MS = 5;
const FORGET_MS = 5_000;

/** The programs tph ended in the signal's stead, with the signal (signalCutShort). */
const cutShort = new WeakMap<Child, Signal>();

/**
 * The signal a program's process was killed in the stead of (it had no listener of its own, and
 * did not take the signal within SIGNAL_GRACE_MS), or null: its run is not saved.
 */
export function signalCutShort(child: Child): Signal | null {
  return cutShort.get(child) ?? null;
}

/** The signals the program's process said it received, read from its file as they come. */
class Received {
  readonly #file: string;
  /** Each line read: the signal, its time, and whether a signal of tph's was matched with it. */
  readonly #lines: { signal: string; at: number; matched: boolean }[] = [];
  /** The signals the program has listeners of its own for (`+SIGTERM`, `-SIGTERM` lines). */
  readonly #listened = new Set<string>();
  #read = 0;

  constructor(file: string) {
    this.#file = file;
  }

  /** Read the lines written since the last time (a line not whole yet is read next time). */
  #update(): void {
    let text: string;
    try {
      text = readText(this.#file);
    } catch {
      return;
    }
    let end: number;
    while ((end = text.indexOf("\n", this.#read)) >= 0) {
      const line = text.slice(this.#read, end);
      this.#read = end + 1;
      if (line[0] === "+") this.#listened.add(line.slice(1));
      else if (line[0] === "-") this.#listened.delete(line.slice(1));
      else {
        const [signal, at] = line.split(" ");
        this.#lines.push({ signal, at: Number(at), matched: false });
      }
    }
  }

  /**
   * Match a signal the program received at `since` or later with one tph received (or passed on):
   * false when there is none yet.
   */
  take(signal: Signal, since: number): boolean {
    this.#update();
    const line = this.#lines.find((l) => !l.matched && l.signal === signal && l.at >= since);
    if (line === undefined) return false;
    line.matched = true;
    return true;
  }

  /** Whether the program has a listener of its own for `signal`, as its process last said. */
  listened(signal: Signal): boolean {
    this.#update();
    return this.#listened.has(signal);
  }
}

/**
 * Pass the signals tph receives on to the program, each unless the program received it as well.
 *
 * @param child The program's process.
 * @param planFile Its settings file (the program's process writes what it received beside it).
 * @param runner `tph test`: the test runner's process gets each signal at once, SIGINT only when
 *   stdin is not a terminal (where Ctrl-C reaches it itself). Waiting for it to say it received the
 *   signal let deno test, which ends its process on SIGINT from the runtime itself, end it in the
 *   middle of tph saving the run (tests/cli/commands/_test_command.ts).
 * @returns How to stop.
 */
export function forwardSignals(child: Child, planFile: string, runner = false): (() => void)[] {
  if (runner) {
    const terminal = stdinIsTerminal();
    const kill = (signal: Signal) => () => {
      try {
        child.kill(signal);
      } catch {
        // It ended meanwhile.
      }
    };
    return [
      onSignal("SIGINT", () => {
        if (!terminal) kill("SIGINT")();
      }),
      onSignal("SIGTERM", kill("SIGTERM")),
      onSignal("SIGHUP", kill("SIGHUP")),
    ];
  }
  const received = new Received(planFile + SIGNALS_SUFFIX);
  const timers = new Set<ReturnType<typeof setTimeout>>();
  /** Signals passed on, whose receipt the program will tell too: matched first. */
  const passedOn: { signal: Signal; at: number }[] = [];
  const matchPassedOn = () => {
    for (let i = 0; i < passedOn.length;) {
      const { signal, at } = passedOn[i];
      // Never told (the program took tph's listener away): not waited for any longer.
      if (received.take(signal, at) || Date.now() - at > FORGET_MS) passedOn.splice(i, 1);
      else i++;
    }
  };
  const pass = (signal: Signal) => () => {
    // A little before now: the program's process may have stamped it just before tph did.
    const at = Date.now() - SIGNAL_WAIT_MS;
    const started = Date.now();
    const check = () => {
      matchPassedOn();
      if (received.take(signal, at)) return;
      if (Date.now() - started < SIGNAL_WAIT_MS) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          check();
        }, POLL_MS);
        timers.add(timer);
        return;
      }
      const entry = { signal, at: Date.now() - POLL_MS };
      passedOn.push(entry);
      try {
        child.kill(signal);
      } catch {
        // It ended meanwhile.
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        matchPassedOn();
        // Taken meanwhile, or the program listens to it: its process decides.
        if (!passedOn.includes(entry) || received.listened(signal)) return;
        cutShort.set(child, signal);
        try {
          child.kill("SIGKILL");
        } catch {
          // It ended meanwhile.
        }
      }, SIGNAL_GRACE_MS);
      timers.add(timer);
    };
    check();
  };
  return [
    onSignal("SIGINT", pass("SIGINT")),
    onSignal("SIGTERM", pass("SIGTERM")),
    onSignal("SIGHUP", pass("SIGHUP")),
    () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  ];
}
