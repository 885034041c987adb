// Progress of a long command on a terminal: `tph export` of a million calls or a big page takes
// seconds, and a command that says nothing for that long looks stuck. One line on stderr,
// rewritten in place at most five times a second, shown only once the work has taken half a
// second (short commands print nothing) and only when stderr is a terminal; erased at the end.

import process from "node:process";
import { stderrIsTerminal } from "../../platform/process.ts";

/** What a long loop calls as it goes. */
export interface Progress {
  /** `done` of the total are done (cheap to call often: it looks at the clock every 1,024). */
  step(done: number): void;
  /** The work ended: the line, when shown, is erased. */
  end(): void;
}

/** A Progress that prints nothing (stderr is not a terminal, or the total is small). */
export const NO_PROGRESS: Progress = { step() {}, end() {} };

/** How long work runs before its progress is shown, and between two updates (ms). */
const SHOW_AFTER_MS = 500, EVERY_MS = 200;

/**
 * A progress line for `total` units of work (`tph: exporting… 42% (420,000 of 1,000,000
 * calls)`), on stderr when it is a terminal.
 *
 * @param what What is being done (`exporting`).
 * @param total The units in all.
 * @param unit Their name in the plural (`calls`).
 * @param write Raw text to stderr (default: the process's stderr, when it is a terminal).
 * @param clock Milliseconds (default: performance.now).
 */
export function progress(
  what: string,
  total: number,
  unit: string,
  write: ((text: string) => void) | null = stderrIsTerminal() ? rawStderr : null,
  clock: () => number = () => performance.now(),
): Progress {
  if (write === null || total <= 0) return NO_PROGRESS;
  const started = clock();
  let next = started + SHOW_AFTER_MS;
  let shown = false;
  let ticks = 0;
  const fmt = (n: number) => n.toLocaleString("en-US");
  return {
    step(done: number): void {
      if ((++ticks & 1023) !== 0) return;
      const now = clock();
      if (now < next) return;
      next = now + EVERY_MS;
      shown = true;
      const pct = Math.min(99, Math.floor((done / total) * 100));
      write(`\r\x1b[2Ktph: ${what}… ${pct}% (${fmt(done)} of ${fmt(total)} ${unit})`);
    },
    end(): void {
      if (shown) write("\r\x1b[2K");
      shown = false;
    },
  };
}

function rawStderr(text: string): void {
  try {
    process.stderr.write(text);
  } catch {
    // A closed stderr: progress is not worth an error.
  }
}
