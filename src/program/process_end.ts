// How the program's process ends, as tph's code inside it sees it: an explicit exit(), its last
// line, an uncaught error. `tph run`'s preload (child.ts) saves the run then; the register entry
// stores the trace() blocks still open then (register.ts).

import process from "../platform/node_process.ts";
import { apply } from "../platform/intrinsics.ts";
import { formatError } from "./recorder/repr.ts";
import type { ProcessEnd } from "./blocks.ts";
import type { ChildEnding } from "./settings.ts";
import { Object } from "../platform/globals.ts";
import { onOwn } from "./loader/own_listeners.ts";
import { standIn } from "./loader/original_text.ts";

/**
 * An explicit exit is told apart from a normal end only by watching the call (process.exit, and
 * Deno.exit on Deno).
 *
 * @param g globalThis.
 * @param denoExit On Deno, what runs as Deno.exit is called (before it exits), once set: the code
 *   given (process.exit calls Deno.exit too, after its "exit" event).
 * @returns Whether the program called one.
 */
export function watchExits(
  // deno-lint-ignore no-explicit-any
  g: any,
  denoExit?: { before: ((code: unknown) => void) | null },
): () => boolean {
  let exitCalled = false;
  // The arguments as given: Node's exit(undefined) sets the exit code to 0, exit() keeps the one
  // the program set (process.exitCode).
  const realExit = process.exit;
  process.exit = standIn(realExit, {
    apply(_real, _self, args) {
      exitCalled = true;
      return apply(realExit, process, args);
    },
  });
  if (g.Deno !== undefined) {
    const realDenoExit = g.Deno.exit;
    g.Deno.exit = standIn(realDenoExit, {
      apply(_real, _self, args) {
        exitCalled = true;
        if (denoExit?.before) denoExit.before(args[0]);
        return apply(realDenoExit, g.Deno, args);
      },
    });
  }
  return () => exitCalled;
}

/** Deno: the code a normal end exits with (`Deno.exitCode` holds `process.exitCode` as well). */
// deno-lint-ignore no-explicit-any
export function denoExitCode(g: any): () => number {
  const getter = Object.getOwnPropertyDescriptor(g.Deno, "exitCode")?.get;
  return () => {
    try {
      const code = getter === undefined ? 0 : apply(getter, g.Deno, []);
      return typeof code === "number" ? code : 0;
    } catch {
      return 0;
    }
  };
}

/**
 * The code an "exit" event hands its listeners, as a number (0 when none): without the global
 * `Number`, which the program may have deleted or replaced.
 */
export function exitCodeOf(code: unknown): number {
  return (typeof code === "number" && code) || 0;
}

/** How the process ended, for the blocks still open then. */
export function processEndOf(ending: ChildEnding): ProcessEnd {
  return {
    ended: ending.ended,
    // An uncaught error ends each runtime's process with 1; `tph run`'s ending of one carries no code.
    code: ending.code ?? (ending.ended === "exception" ? 1 : null),
    signal: ending.signal ?? null,
    ...(ending.error !== undefined ? { error: ending.error } : {}),
  };
}

/**
 * Call `atEnd` once as the process ends however it ends short of a signal: after exit(), after its
 * last line, after an uncaught error. Listeners that leave the outcome as it is: Node's and Bun's
 * "exit" and "uncaughtExceptionMonitor", Deno's "unload", "error" and "unhandledrejection".
 */
export function onProcessEnd(atEnd: (end: ProcessEnd) => void): void {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  const exitCalled = watchExits(g);
  let done = false;
  const once = (end: ProcessEnd) => {
    if (done) return;
    done = true;
    atEnd(end);
  };
  if (g.Deno !== undefined) {
    const exitCode = denoExitCode(g);
    g.addEventListener(
      "unload",
      () => once({ ended: exitCalled() ? "exit" : "completed", code: exitCode(), signal: null }),
    );
    // As `tph run` saves the run (child.ts): Deno then ends, unless the program's own listener
    // says otherwise.
    g.addEventListener(
      "unhandledrejection",
      (e: { reason: unknown }) =>
        once({ ended: "exception", code: 1, signal: null, error: formatError(e.reason, 500) }),
    );
    g.addEventListener(
      "error",
      (e: { error: unknown }) =>
        once({ ended: "exception", code: 1, signal: null, error: formatError(e.error, 500) }),
    );
    return;
  }
  let uncaught: string | null = null;
  onOwn("uncaughtExceptionMonitor", (err: unknown) => {
    uncaught = formatError(err, 500);
  });
  onOwn("exit", (code: number) =>
    once(
      uncaught !== null
        ? { ended: "exception", code: exitCodeOf(code), signal: null, error: uncaught }
        : { ended: exitCalled() ? "exit" : "completed", code: exitCodeOf(code), signal: null },
    ));
}
