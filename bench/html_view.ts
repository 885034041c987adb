// The page of `tph view --html` measured in a real browser (Debian's Chromium through
// playwright-core), on a 100,000-call run (recursive fib, `--max-calls 100000`): writing the page
// (the whole `tph view --html` process), first paint (from navigation to the first row on
// screen), opening a node with children (to the next frame), a search (to the next frame), and
// the page's size. Targets: first paint ≤ 2 s, expanding ≤ 50 ms, a search ≤ 200 ms.
//
//   deno run -A bench/html_view.ts [--rounds N]

import process from "node:process";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { median, num, record, selfCommand, verdict } from "./_common.ts";
import { CHROMIUM, launch, openPage } from "../tests/cli/html/_browser.ts";

const BENCH = "html_view";
const REPO = resolve(import.meta.dirname!, "..");
const roundsAt = process.argv.indexOf("--rounds");
const ROUNDS = roundsAt >= 0 ? Number(process.argv[roundsAt + 1]) : 5;

if (CHROMIUM === undefined) {
  console.log("html_view: no Chromium here (apt-get install chromium): nothing measured");
  process.exit(0);
}

const tmp = mkdtempSync(join(tmpdir(), "tph-bench-html-"));
let failed = 0;
try {
  copyFileSync(join(REPO, "bench/programs/fib.ts"), join(tmp, "fib.ts"));
  writeFileSync(join(tmp, "package.json"), '{ "type": "module" }\n');
  const tph = (args: string[]) => {
    const t0 = performance.now();
    const argv = selfCommand(join(REPO, "cli.ts"), args);
    const r = spawnSync(argv[0], argv.slice(1), {
      cwd: tmp,
      encoding: "utf8",
      timeout: 300_000,
    });
    if (r.status !== 0) throw new Error(`tph ${args.join(" ")}: ${r.stderr}`);
    return performance.now() - t0;
  };
  tph(["run", "--max-calls", "100000", "fib.ts", "25", "1"]);
  const page = join(tmp, "page.html");
  const writes: number[] = [];
  for (let i = 0; i < ROUNDS; i++) writes.push(tph(["view", "last", "--html", "-o", page]));
  const browser = await launch();
  const paint: number[] = [], expand: number[] = [], search: number[] = [];
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const t0 = performance.now();
      const p = await openPage(browser, page);
      paint.push(performance.now() - t0);
      const times = await p.page.evaluate(async () => {
        // deno-lint-ignore no-explicit-any
        const v = (globalThis as any).tphViewer;
        const frame = () => new Promise((r) => requestAnimationFrame(() => r(null)));
        // A closed node with children: the deepest first-row chain opens by one more level.
        let node = -1;
        for (let k = 0; k < v.visible.length; k++) {
          const c = v.visible[k];
          if (v.m.hasChildren(c) && !v.expanded[c]) {
            node = c;
            break;
          }
        }
        let t = performance.now();
        v.toggle(node);
        v.select(node, true);
        await frame();
        const expand = performance.now() - t;
        t = performance.now();
        v.find("n=3");
        await frame();
        const search = performance.now() - t;
        return { expand, search, matches: v.matches.length };
      });
      expand.push(times.expand);
      search.push(times.search);
      if (times.matches === 0) throw new Error("the search found nothing");
      await p.page.context().close();
    }
  } finally {
    await browser.close();
  }
  const size = statSync(page).size;
  const lines: [string, number, number | null, string][] = [
    ["writing the page (tph view --html, whole process)", median(writes), null, "ms"],
    ["first paint", median(paint), 2000, "ms"],
    ["expanding a node", median(expand), 50, "ms"],
    ["a search", median(search), 200, "ms"],
  ];
  console.log(`html_view: 100,000 calls, page ${num(size / 1e6, 1)} MB, median of ${ROUNDS}`);
  for (const [what, value, max, unit] of lines) {
    const pass = max === null ? undefined : value <= max;
    if (pass === false) failed++;
    console.log(
      `  ${what.padEnd(50)} ${num(value, 0, 6)} ${unit}` +
        (max === null ? "" : `  ${verdict(pass!, `≤ ${max}`)}`),
    );
    record({
      bench: BENCH,
      metric: what,
      value,
      unit,
      ...(max === null ? {} : { req: `≤ ${max}`, pass }),
      runtime: "chromium",
    });
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
process.exitCode = failed > 0 ? 1 : 0;
