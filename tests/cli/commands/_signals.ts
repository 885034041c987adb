// A signal reaches the program under `tph run` exactly as it would plainly, once: sent to the
// process group (as a terminal's Ctrl-C sends it, reaching tph and the program alike) or to tph
// alone (as `kill <pid>` sends it, which tph passes on). A program with listeners sees each signal
// once; one without dies of it, tph exiting with 128 + its number.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  assertCode,
  finish,
  FIXTURES,
  REPO,
  start,
  type Target,
  tempDir,
  waitForFile,
} from "./_cli.ts";

const NUMBERS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
type Signal = keyof typeof NUMBERS;

/**
 * Run `tph run <script> <pid file> ...args`, send `signal` to the process group or to tph alone
 * once the program wrote its pid, and return how it ended.
 */
async function sendTo(
  t: Target,
  cwd: string,
  script: string,
  args: string[],
  signal: Signal,
  to: "group" | "tph",
  timeoutMs = 60_000,
) {
  const pidFile = join(cwd, `${script}.${signal}.${to}.pid`);
  const child = start([...t.tph, "run", script, pidFile, ...args], { cwd });
  const done = finish(child, "", timeoutMs, `tph run ${script}`);
  try {
    await waitForFile(pidFile);
  } catch (e) {
    Deno.kill(-child.pid, "SIGKILL");
    throw new Error(`${(e as Error).message}\n${JSON.stringify(await done)}`);
  }
  // The program is waiting once the pid file is written; a moment more for good measure.
  await new Promise((r) => setTimeout(r, 50));
  // The tests start tph in a process group of its own (start), the program in it.
  Deno.kill(to === "group" ? -child.pid : child.pid, signal);
  return await done;
}

export function signalTests(t: Target): void {
  const listeners = t.runtime === "deno" ? ["process", "deno"] : ["process"];
  for (const how of listeners) {
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
      for (const to of ["group", "tph"] as const) {
        Deno.test(
          `tph run: ${signal} sent to ${to === "group" ? "the process group" : "tph alone"} ` +
            `reaches the program's ${how} listener once (${t.name})`,
          async () => {
            await using dir = tempDir({ s: join(FIXTURES, "signals") });
            const cwd = join(dir.path, "s");
            const r = await sendTo(t, cwd, "listen.ts", [how], signal, to);
            assertCode(r, 0, `tph run listen.ts, ${signal} to ${to}`);
            assert.equal(r.stdout, `ready\ngot ${signal} 1\n`, r.stderr);
          },
        );
      }
    }
  }
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    for (const to of ["group", "tph"] as const) {
      Deno.test(
        `tph run: ${signal} sent to ${
          to === "group" ? "the process group" : "tph alone"
        } kills a program without listeners, exit ${128 + NUMBERS[signal]} (${t.name})`,
        async () => {
          await using dir = tempDir({ e: join(FIXTURES, "endings") });
          const cwd = join(dir.path, "e");
          const r = await sendTo(t, cwd, "wait.ts", [], signal, to);
          assertCode(r, 128 + NUMBERS[signal], `tph run wait.ts, ${signal} to ${to}`);
          assert.equal(r.stdout, "ready\n");
        },
      );
    }
  }
  onlyListenerTests(t);
  reraiseTests(t);
  spinTests(t);
  if (t.runtime !== "deno") return;
  for (const to of ["group", "tph"] as const) {
    Deno.test(
      `tph run: Deno.serve's program shuts down once on SIGINT sent to ${
        to === "group" ? "the process group" : "tph alone"
      } (${t.name})`,
      async () => {
        await using dir = tempDir({ s: join(FIXTURES, "signals") });
        const cwd = join(dir.path, "s");
        const r = await sendTo(t, cwd, "serve.ts", [], "SIGINT", to);
        assertCode(r, 0, `tph run serve.ts, SIGINT to ${to}`);
        assert.equal(r.stdout, "ready\nshutting down\ndone\n", r.stderr);
      },
    );
  }
}

/**
 * A listener that removes itself, clears the program's last timer and sends the signal again
 * (NestJS's shutdown hooks) dies of it, as plainly: on Node tph's own listener heard it only from
 * an event loop that ended first, and the program exited 0.
 */
function reraiseTests(t: Target): void {
  for (const to of ["group", "tph"] as const) {
    Deno.test(
      `tph run: a SIGTERM listener that lets go and raises it again dies of it, sent to ${
        to === "group" ? "the process group" : "tph alone"
      }, as plainly (${t.name})`,
      async () => {
        await using dir = tempDir({ s: join(FIXTURES, "signals") });
        const cwd = join(dir.path, "s");
        const r = await sendTo(t, cwd, "reraise.ts", [], "SIGTERM", to, 30_000);
        assertCode(r, 143, `tph run reraise.ts, SIGTERM to ${to}`);
        const plain = await sendPlain(t, cwd, "SIGTERM", [], "reraise.ts");
        assert.equal(plain.signal, "SIGTERM", JSON.stringify(plain));
        assert.equal(r.stdout, plain.stdout, r.stderr);
        assert.equal(r.stdout, "ready\nshutting down\n");
      },
    );
  }
}

/**
 * tph's own listeners (the process's end, its signals) are not the program's: a program asking
 * process for its listeners sees its own only, as plainly. signal-exit's rule (its listener the
 * only one: die of the signal) then holds under tph too, where the program lived on before.
 */
function onlyListenerTests(t: Target): void {
  for (const [signal, to] of [["SIGINT", "group"], ["SIGTERM", "tph"]] as const) {
    Deno.test(
      `tph run: a program whose listener is process's only one sees it so and dies of ${signal} ` +
        `sent to ${to === "group" ? "the process group" : "tph alone"}, as plainly (${t.name})`,
      async () => {
        await using dir = tempDir({ s: join(FIXTURES, "signals") });
        const cwd = join(dir.path, "s");
        const r = await sendTo(t, cwd, "only_listener.ts", [], signal, to, 30_000);
        assertCode(r, 128 + NUMBERS[signal], `tph run only_listener.ts, ${signal} to ${to}`);
        const plain = await sendPlain(t, cwd, signal, [], "only_listener.ts");
        assert.equal(plain.signal, signal, JSON.stringify(plain));
        assert.equal(r.stdout, plain.stdout, r.stderr);
        assert.match(r.stdout, new RegExp(`the only listener of ${signal}: dying of it\n$`));
      },
    );
  }
  Deno.test(
    `tph run: signal-exit's program dies of SIGINT sent to the process group, its exit handler ` +
      `run, as plainly (${t.name})`,
    async () => {
      await using dir = tempDir({ s: join(FIXTURES, "signals") });
      const cwd = join(dir.path, "s");
      // The real library (signal-exit 4, the one under execa, ora, nyc and many more).
      const lib = join(REPO, "node_modules/signal-exit/dist/cjs/index.js");
      writeFileSync(
        join(cwd, "exit_handler.cjs"),
        `const { onExit } = require(${JSON.stringify(lib)});\n` +
          `onExit((code, signal) => console.log("onExit", code, signal));\n` +
          `setInterval(() => {}, 1000);\nconsole.log("ready");\n` +
          `require("node:fs").writeFileSync(process.argv[2], String(process.pid));\n`,
      );
      const r = await sendTo(t, cwd, "exit_handler.cjs", [], "SIGINT", "group", 30_000);
      assertCode(r, 130, "tph run exit_handler.cjs, SIGINT to the group");
      assert.equal(r.stdout, "ready\nonExit null SIGINT\n", r.stderr);
      const plain = await sendPlain(t, cwd, "SIGINT", [], "exit_handler.cjs");
      assert.equal(plain.signal, "SIGINT", JSON.stringify(plain));
      assert.equal(plain.stdout, r.stdout);
    },
  );
}

/**
 * A program holding its event loop in a synchronous loop, where tph's own listener (which saves the
 * run) cannot run: a signal that kills it plainly ends it under tph too, at most a grace later
 * (signals.ts's SIGNAL_GRACE_MS), its run not saved; one it listens to itself still waits for its
 * loop, as plainly.
 */
function spinTests(t: Target): void {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    for (const to of ["group", "tph"] as const) {
      const whom = to === "group" ? "the process group" : "tph alone";
      Deno.test(
        `tph run: ${signal} sent to ${whom} ends a program in a synchronous loop as plainly, ` +
          `exit ${128 + NUMBERS[signal]} (${t.name})`,
        async () => {
          await using dir = tempDir({ s: join(FIXTURES, "signals") });
          const cwd = join(dir.path, "s");
          const started = Date.now();
          const r = await sendTo(t, cwd, "spin.ts", [], signal, to, 30_000);
          assertCode(r, 128 + NUMBERS[signal], `tph run spin.ts, ${signal} to ${to}`);
          assert.equal(r.stdout, "ready\n");
          assert.match(r.stderr, new RegExp(`tph ended it, as ${signal} ends it without tph`));
          assert.ok(Date.now() - started < 25_000, "ended well before the time limit");
          // Plainly: killed by the signal, which tph's exit code says (128 + its number).
          const plain = await sendPlain(t, cwd, signal);
          assert.equal(plain.signal, signal, JSON.stringify(plain));
        },
      );
    }
  }
  Deno.test(
    `tph run: SIGTERM to a program in a synchronous loop that listens to it waits for its ` +
      `loop, as plainly (${t.name})`,
    async () => {
      await using dir = tempDir({ s: join(FIXTURES, "signals") });
      const cwd = join(dir.path, "s");
      const r = await sendTo(t, cwd, "spin.ts", ["listen"], "SIGTERM", "tph", 30_000);
      assertCode(r, 0, `tph run spin.ts listen, SIGTERM`);
      assert.equal(r.stdout, `ready\nloop done\ngot SIGTERM\n`, r.stderr);
      const plain = await sendPlain(t, cwd, "SIGTERM", ["listen"]);
      assert.equal(plain.stdout, r.stdout);
    },
  );
}

/** A program (the spinning one) run plainly, `signal` sent to it once it wrote its pid. */
async function sendPlain(
  t: Target,
  cwd: string,
  signal: Signal,
  args: string[] = [],
  script = "spin.ts",
) {
  const pidFile = join(cwd, `plain.${signal}.pid`);
  const child = start([...t.plain(script), pidFile, ...args], { cwd });
  const done = finish(child, "", 30_000, `${script} plainly`);
  try {
    await waitForFile(pidFile);
  } catch (e) {
    Deno.kill(-child.pid, "SIGKILL");
    throw new Error(`${(e as Error).message}\n${JSON.stringify(await done)}`);
  }
  Deno.kill(child.pid, signal);
  return await done;
}
