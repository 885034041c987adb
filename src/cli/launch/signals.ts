// Signals sent to tph while the program runs. A signal sent to the process group (a terminal's
// Ctrl-C, `kill -INT -<pgid>`) reaches the program and tph alike; one sent to tph alone (`kill
// <pid>`, a process manager) reaches only tph, which passes it on. The program's process tells
// tph each signal it received, in a file beside its settings (SIGNALS_SUFFIX): tph passes a signal
// on only when the program did not receive it too within a short while, so that the program gets
// each signal once, as it would plainly. Loaded before the program starts (early_start.ts): no
// node: module.

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
const POLL_MS = 5;
const FORGET_MS = 5_000;

/** The signals the program's process said it received, read from its file as they come. */
class Received {
  readonly #file: string;
  /** Each line read: the signal, its time, and whether a signal of tph's was matched with it. */
  readonly #lines: { signal: string; at: number; matched: boolean }[] = [];
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
      const [signal, at] = text.slice(this.#read, end).split(" ");
      this.#lines.push({ signal, at: Number(at), matched: false });
      this.#read = end + 1;
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
      passedOn.push({ signal, at: Date.now() - POLL_MS });
      try {
        child.kill(signal);
      } catch {
        // It ended meanwhile.
      }
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
