// `tph view --html` pages of real runs opened in headless Chromium with the network blocked: no
// request leaves the page, no console error, the top call on screen, a node expands to its
// children, a search finds the call that had a value, the function table sorts, a recorded
// `</script>` stays text; and a 100,000-call run stays usable. Ignored (and said so) where no
// Chromium is installed.

import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  assertCode,
  DENO_TARGET,
  FIXTURES,
  REPO,
  type TempDir,
  tempDir,
  tph,
} from "../cli/_cli.ts";
import { CHROMIUM, launch, type OpenedPage, openPage } from "./_browser.ts";

const XSS = "</script><script>alert(1)</script>";

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
        const rows = await rowTexts(p);
        assert.match(rows[0], /^▾main\(\)/, "the top call first");
        // The README's picture: TPH_SCREENSHOT=docs/images/view_html.png deno test -A tests/html/
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
        clean(p, "shop");
        await p.page.context().close();
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
