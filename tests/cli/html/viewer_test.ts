// `tph view --html` pages of real runs opened in headless Chromium with the network blocked: no
// request leaves the page, no console error, the top call on screen, a node expands to its
// children, a search finds the call that had a value, the function table sorts, a recorded
// `</script>` stays text; and a 100,000-call run stays usable. Ignored (and said so) where no
// Chromium is installed.

import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  assertCode,
  DENO_TARGET,
  FIXTURES,
  REPO,
  type TempDir,
  tempDir,
  tph,
} from "../commands/_cli.ts";
import { CHROMIUM, launch, type OpenedPage, openPage } from "./_browser.ts";

const XSS = "</script><script>alert(1)</script>";

// deno-lint-ignore no-explicit-any
type Tph = { tphViewer: any };

/** Run a program under tph in `cwd`, then write its page; returns the page's path. */
async function pageOf(cwd: string, args: string[], extra: string[] = []): Promise<string> {
  assertCode(await tph(DENO_TARGET, ["run", ...args], { cwd }), 0, `tph run ${args.join(" ")}`);
  const out = join(cwd, "page.html");
  const r = await tph(DENO_TARGET, ["view", "last", "--html", "-o", out, ...extra], { cwd });
  assertCode(r, 0, "tph view --html");
  return out;
}

function clean(p: OpenedPage, what: string): void {
  assert.deepEqual(p.requests, [], `${what}: requests that left the page`);
  assert.deepEqual(p.errors, [], `${what}: console errors`);
  assert.deepEqual(p.dialogs, [], `${what}: dialogs`);
}

/** The rows on screen, top to bottom. */
const rowTexts = (p: OpenedPage): Promise<string[]> =>
  p.page.$$eval(".row", (rows) =>
    rows.map((r) => {
      const style = (r as unknown as { style: { display: string; top: string } }).style;
      return { shown: style.display !== "none", top: parseFloat(style.top), text: r.textContent };
    }).filter((r) => r.shown).sort((a, b) => a.top - b.top).map((r) => r.text ?? ""));

Deno.test({
  name: `tph view --html pages in a real browser${
    CHROMIUM === undefined ? " (no Chromium here: ignored)" : ""
  }`,
  ignore: CHROMIUM === undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const browser = await launch();
    const dirs: TempDir[] = [];
    const dir = (copies: Record<string, string> = {}) => {
      const d = tempDir(copies);
      dirs.push(d);
      return d.path;
    };
    try {
      await t.step("the shop example: header, tree, expand, search, table", async () => {
        const cwd = dir({ shop: join(REPO, "examples/shop") });
        writeFileSync(join(cwd, "package.json"), '{ "type": "module" }\n');
        const file = await pageOf(cwd, ["shop/main.ts"]);
        const p = await openPage(browser, file);
        const header = await p.page.textContent("header");
        assert.match(header!, /calls recorded: \d+/);
        assert.match(header!, /command: shop\/main\.ts/);
        // The start in words (the stored ISO text on hover), not raw ISO text.
        assert.match(header!, /started: \S/);
        assert.doesNotMatch(header!, /started: \d{4}-\d\d-\d\dT/);
        const rows = await rowTexts(p);
        assert.match(rows[0], /^▾main\(\)/, "the top call first");
        // The README's picture: TPH_SCREENSHOT=docs/images/view_html.png deno test -A tests/cli/html/
        const shot = Deno.env.get("TPH_SCREENSHOT");
        if (shot) await p.page.screenshot({ path: shot });
        // A node shown closed opens to its children.
        const closed = await p.page.$('.row[aria-expanded="false"]');
        assert.ok(closed !== null, "a closed node");
        const name = (await closed.textContent())!;
        const before = (await rowTexts(p)).length;
        await (await closed.$(".tog"))!.click();
        const after = await rowTexts(p);
        assert.ok(after.length > before || after.join("\n") !== rows.join("\n"), "rows added");
        const at = after.indexOf(name.replace("▸", "▾"));
        assert.ok(at >= 0, `the opened node: ${name}`);
        // Searching a value selects the call that had it.
        await p.page.fill("input[type=search]", "HALF");
        await p.page.press("input[type=search]", "Enter");
        const selected = await p.page.textContent(".row.sel");
        assert.match(selected!, /HALF/);
        assert.match((await p.page.textContent(".count"))!, /^1 of \d+$/);
        // The function table sorts by calls, both ways.
        const calls = () =>
          p.page.$$eval(
            ".funcs tbody tr",
            (trs) => trs.map((tr) => Number(tr.children[1].textContent)),
          );
        await p.page.click('.funcs th[data-key="calls"]');
        const down = await calls();
        assert.deepEqual(down, [...down].sort((a, b) => b - a));
        await p.page.click('.funcs th[data-key="calls"]');
        const up = await calls();
        assert.deepEqual(up, [...up].sort((a, b) => a - b));
        // console.log, called from two places, is one function: one row.
        const names = await p.page.$$eval(
          ".funcs tbody tr",
          (trs) => trs.map((tr) => tr.children[0].textContent),
        );
        assert.equal(names.filter((n) => n === "console.log").length, 1, names.join(", "));
        // fetchPrice awaits its timer: most of its time is awaiting, not its own (self).
        const fetchRow = await p.page.$$eval(
          ".funcs tbody tr",
          (trs) =>
            trs.map((tr) => [...tr.children].map((td) => td.textContent ?? ""))
              .find((cells) => cells[0] === "fetchPrice"),
        );
        const us = (t: string) =>
          t.endsWith("ms") ? parseFloat(t) * 1000 : t.endsWith("µs") ? parseFloat(t) : NaN;
        assert.ok(fetchRow !== undefined);
        const [, , total, self, awaiting] = fetchRow.map((c, k) => k < 2 ? 0 : us(c));
        assert.ok(awaiting > total / 2 && self < awaiting, fetchRow.join(" | "));
        assert.equal(new Set(names).size, names.length, names.join(", "));
        clean(p, "shop");
        await p.page.context().close();
      });

      await t.step("the other examples: each page opens clean with its top call", async () => {
        for (const example of ["hello.ts", "quickstart_sync.ts", "quickstart_async.ts"]) {
          // Run where they are (they import the library): their runs go to a folder of the test's.
          const cache = ["--cache-dir", dir()];
          const path = join(REPO, "examples", example);
          assertCode(await tph(DENO_TARGET, ["run", ...cache, path], { cwd: REPO }), 0, example);
          const file = join(dir(), "page.html");
          const r = await tph(DENO_TARGET, ["view", "last", ...cache, "--html", "-o", file], {
            cwd: REPO,
          });
          assertCode(r, 0, `tph view --html of ${example}`);
          const p = await openPage(browser, file);
          const rows = await rowTexts(p);
          const calls = Number(
            /calls recorded: (\d+)/.exec((await p.page.textContent("header"))!)![1],
          );
          if (calls > 0) assert.ok(rows.length > 0, `${example}: rows on screen`);
          // quickstart_sync.ts records its calls in its own trace() block, not in tph run's.
          else assert.match((await p.page.textContent(".details"))!, /No call was recorded/);
          clean(p, example);
          await p.page.context().close();
        }
      });

      await t.step("keyboard, the flame chart, the function filter, a page cut short", async () => {
        const cwd = join(dir({ p: join(FIXTURES, "exports") }), "p");
        const file = await pageOf(cwd, ["main.ts"]);
        const p = await openPage(browser, file);
        const selected = () =>
          p.page.evaluate(() => (globalThis as unknown as Tph).tphViewer.selected);
        // Arrows move through the rows; the details follow.
        await p.page.click(".row");
        await p.page.keyboard.press("ArrowDown");
        assert.equal(await selected(), 1);
        assert.match((await p.page.textContent(".details h2"))!, /^fetchUser$/);
        await p.page.keyboard.press("ArrowUp");
        assert.equal(await selected(), 0);
        // The flame chart has a time axis: ticks labelled from the run's start (0µs first).
        const axis = await p.page.evaluate(() =>
          (globalThis as unknown as Tph).tphViewer.flame.ticks().map((t: [number, string]) => t[1])
        );
        assert.ok(axis.length >= 2, axis.join(" "));
        assert.equal(axis[0], "0µs");
        // A click on a call's box in the flame chart selects it in the tree.
        const box = await p.page.evaluate(() => {
          const v = (globalThis as unknown as Tph).tphViewer;
          const canvas = v.flame.canvas.getBoundingClientRect();
          const i = v.m.children(0).find((c: number) => v.m.name(c) === "ticks");
          const scale = canvas.width / (v.flame.to - v.flame.from);
          return {
            i,
            x: canvas.left + (v.m.start[i] + v.m.dur[i] / 2 - v.flame.from) * scale,
            y: canvas.top + v.flame.barTop(v.m.depth[i]) + 8,
          };
        });
        await p.page.mouse.click(box.x, box.y);
        assert.equal(await selected(), box.i);
        assert.match((await p.page.textContent(".row.sel"))!, /^.ticks\(n=3\)/);
        // A function in the table: only its calls and the calls leading to them.
        await p.page.click('.funcs tbody tr:has(td:text-is("fib"))');
        const rows = await rowTexts(p);
        assert.ok(rows.every((r) => /^[▾▸]?(main|fib)\(/.test(r)), rows.join("\n"));
        assert.match((await p.page.textContent(".filter"))!, /Only the calls of fib/);
        clean(p, "interactions");
        await p.page.context().close();
        // Past the calls a page holds: the first ones and a note that says so.
        const { writeHtml } = await import("../../../src/cli/html/write_html.ts");
        const { openRun } = await import("../../../src/run_file/decode.ts");
        const { FileWriter } = await import("../../../src/platform/files.ts");
        const run = openRun(
          join(
            cwd,
            ".tracepatch_cache",
            readdirSync(join(cwd, ".tracepatch_cache"))
              .find((f) => f.endsWith(".tph"))!,
          ),
        );
        const short = join(cwd, "short.html");
        const out = new FileWriter(short);
        const stats = writeHtml(run, out, { maxCalls: 5 });
        out.close();
        run.close();
        assert.deepEqual(stats, { calls: 5, leftOut: run.meta.call_count - 5 });
        const q = await openPage(browser, short);
        assert.match(
          (await q.page.textContent(".note"))!,
          new RegExp(`first 5 calls; ${run.meta.call_count - 5} more are not in it`),
        );
        assert.ok(await q.page.isVisible(".note"));
        clean(q, "cut short");
        await q.page.context().close();
      });

      await t.step("an async program: concurrent calls and a thrown error", async () => {
        const cwd = join(dir({ p: join(FIXTURES, "exports") }), "p");
        const file = await pageOf(cwd, ["main.ts"]);
        const p = await openPage(browser, file);
        await p.page.fill("input[type=search]", "user2");
        await p.page.press("input[type=search]", "Enter");
        assert.match((await p.page.textContent(".row.sel"))!, /fetchUser\(id=2\)/);
        await p.page.fill("input[type=search]", "bad amount");
        await p.page.press("input[type=search]", "Enter");
        assert.match((await p.page.textContent(".row.sel .err"))!, /RangeError: bad amount -1/);
        assert.match((await p.page.textContent(".details"))!, /threw/);
        clean(p, "async");
        await p.page.context().close();
      });

      await t.step("a recorded </script> stays text", async () => {
        const cwd = dir();
        writeFileSync(join(cwd, "package.json"), '{ "type": "module" }\n');
        writeFileSync(
          join(cwd, "xss.ts"),
          `function show(text: string): number {\n  return text.length;\n}\n` +
            `show(${JSON.stringify(XSS)});\nshow("<img src=x onerror=alert(2)>");\n`,
        );
        const file = await pageOf(cwd, ["xss.ts"]);
        assert.ok(!readFileSync(file, "utf8").includes(XSS), "not in the page as markup");
        const p = await openPage(browser, file);
        const rows = await rowTexts(p);
        assert.ok(rows.some((r) => r.includes(`show(text="${XSS}")`)), rows.join("\n"));
        assert.equal(await p.page.$("img"), null, "no element from a recorded text");
        clean(p, "xss");
        await p.page.context().close();
      });

      await t.step("100,000 calls: usable", async () => {
        const cwd = dir({ "fib.ts": join(REPO, "bench/programs/fib.ts") });
        writeFileSync(join(cwd, "package.json"), '{ "type": "module" }\n');
        const file = await pageOf(cwd, ["--max-calls", "100000", "fib.ts", "25", "1"]);
        const p = await openPage(browser, file);
        const count = await p.page.$$eval(".row", (rows) => rows.length);
        assert.ok(count < 200, `${count} rows in the DOM: only what is on screen`);
        assert.match((await p.page.textContent("header"))!, /calls recorded: 100000/);
        await p.page.fill("input[type=search]", "n=3");
        await p.page.press("input[type=search]", "Enter");
        assert.match((await p.page.textContent(".row.sel"))!, /fib\(n=3\)/);
        clean(p, "100k");
        await p.page.context().close();
      });
    } finally {
      await browser.close();
      for (const d of dirs) await d[Symbol.asyncDispose]();
    }
  },
});
