import assert from "node:assert/strict";
import {
  compileGlob,
  globAlternatives,
  globProblem,
  globToRegExp,
} from "../../src/project/glob.ts";

const GLOB_MODULE = new URL("../../src/project/glob.ts", import.meta.url).href;
const SCOPE_MODULE = new URL("../../src/project/scope.ts", import.meta.url).href;

Deno.test("globToRegExp() matches ** across folders and * within one", () => {
  const re = globToRegExp("node_modules/marked/**");
  assert.ok(re.test("/app/node_modules/marked/lib/marked.esm.js"));
  assert.ok(!re.test("/app/node_modules/markedx/lib.js"));
  const star = globToRegExp("src/*.ts");
  assert.ok(star.test("/repo/src/a.ts"));
  assert.ok(!star.test("/repo/src/sub/a.ts"));
});

Deno.test("globToRegExp() supports ?, {a,b} and escapes regex characters", () => {
  assert.ok(globToRegExp("a?.ts").test("ab.ts"));
  assert.ok(globToRegExp("*.{ts,js}").test("x.js"));
  assert.ok(!globToRegExp("*.{ts,js}").test("x.tsx"));
  assert.ok(globToRegExp("a+b.ts").test("a+b.ts"));
  assert.ok(!globToRegExp("a.ts").test("abts"));
});

Deno.test("globToRegExp() anchors absolute patterns at the start", () => {
  assert.ok(globToRegExp("/app/**").test("/app/x.ts"));
  assert.ok(!globToRegExp("/app/**").test("/other/app/x.ts"));
});

Deno.test("globToRegExp() matches bare names, as for function filters", () => {
  assert.ok(globToRegExp("fetch*").test("fetchUser"));
  assert.ok(!globToRegExp("fetch*").test("prefetch"));
});

Deno.test('globProblem(): a "{" not closed, braces past the bound; such a glob matches nothing', () => {
  assert.equal(globProblem("packages/{a"), 'a "{" is not closed');
  assert.equal(globProblem("{a,{b,c}"), 'a "{" is not closed');
  assert.match(globProblem("{a,b}".repeat(9)) ?? "", /more than 256 alternatives/);
  assert.match(globProblem("a".repeat(5000)) ?? "", /longer than 4096 characters/);
  for (const glob of ["packages/{a", "{a,b}".repeat(9)]) {
    assert.equal(compileGlob(glob).test("packages/{a"), false, glob);
    assert.equal(globToRegExp(glob).test("packages/{a"), false, glob);
  }
  // What can be used: a lone "}" or "," is a character; nested braces; a slash in braces.
  for (const glob of ["a}", "a,b", "{a,{b,c}}/x", "{apps,libs/*}/x", "{}x", "**", "/"]) {
    assert.equal(globProblem(glob), null, glob);
  }
  assert.ok(compileGlob("{apps,libs/*}/x").test("/r/libs/ui/x"));
  assert.ok(compileGlob("{a,{b,c}}/x").test("c/x"));
  assert.ok(compileGlob("a}").test("/r/a}"));
  assert.deepEqual(globAlternatives("{apps,libs/*}/x"), ["apps/x", "libs/*/x"]);
  assert.deepEqual(globAlternatives("packages/{a"), []);
});

Deno.test("compileGlob(): ** is a whole segment's (within one it is *), a trailing /** one or more", () => {
  const g = (glob: string, path: string) => compileGlob(glob).test(path);
  assert.ok(g("src/**/*.ts", "/r/src/x.ts"));
  assert.ok(g("src/**/*.ts", "/r/src/a/b/x.ts"));
  assert.ok(!g("src/**/*.ts", "/r/lib/x.ts"));
  assert.ok(g("a**b", "/r/axxb"));
  assert.ok(!g("a**b", "/r/a/x/b"));
  assert.ok(g("/app/**", "/app/x/y.ts"));
  assert.ok(!g("/app/**", "/app"));
  assert.ok(g("**", "/anything/at/all"));
  assert.ok(g("**/test/**", "/r/pkg/test/a.ts"));
  assert.ok(!g("**/test/**", "/r/pkg/tests/a.ts"));
  assert.ok(g("?.ts", "/r/a.ts"));
  assert.ok(!g("?.ts", "/r/ab.ts"));
  assert.ok(!g("a?b", "a/b"));
});

// What a backtracking RegExp takes minutes over (or longer than a test could wait): stars beside
// a long name that almost matches, many `**` beside many folders.
const LONG_NAME = "p" + "a".repeat(3000);
const HOSTILE: [string, string][] = [
  ["p*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", `/w/${LONG_NAME}/package.json`],
  ["*".repeat(46) + "a", `/w/${LONG_NAME}b`],
  ["p" + "*a".repeat(40) + "*b/**", `/w/${LONG_NAME}/x.ts`],
  ["**/".repeat(30) + "a/".repeat(20) + "b", "/" + "a/".repeat(2000) + "c"],
  ["/" + "**/a/".repeat(30) + "b/**", "/" + "a/".repeat(2000) + "c.ts"],
  ["{a,b}*{a,b}*{a,b}*{a,b}*{a,b}*{a,b}*{a,b}*c", `/w/${"ab".repeat(1500)}`],
];

Deno.test("compileGlob(): hostile globs and paths are matched with no RegExp at all", () => {
  const globs = HOSTILE.map(([glob]) => compileGlob(glob));
  // The matcher is the pattern's own loops: a RegExp used while matching throws.
  const proto = RegExp.prototype;
  const { exec, test } = proto;
  const symbols = [Symbol.match, Symbol.matchAll, Symbol.replace, Symbol.search, Symbol.split];
  const saved = symbols.map((s) => Object.getOwnPropertyDescriptor(proto, s)!);
  const fail = () => {
    throw new Error("a RegExp was used");
  };
  try {
    proto.exec = fail;
    proto.test = fail;
    for (const s of symbols) Object.defineProperty(proto, s, { value: fail, configurable: true });
    const got = HOSTILE.map(([, path], i) => globs[i].test(path));
    // Each but the fourth misses at its very end.
    assert.deepEqual(got, [false, false, false, false, false, false]);
    assert.ok(globs[3].test("/" + "a/".repeat(2000) + "b"));
  } finally {
    proto.exec = exec;
    proto.test = test;
    symbols.forEach((s, i) => Object.defineProperty(proto, s, saved[i]));
  }
});

Deno.test("globToRegExp() and scopeRegExp() (Bun's filter) finish on hostile globs, agreeing with compileGlob()", async () => {
  // In a process of its own, stopped if it takes longer than any linear match could: a
  // backtracking RegExp would hang this test, not the suite.
  const code = `
    import { compileGlob, globToRegExp } from ${JSON.stringify(GLOB_MODULE)};
    import { makeScope, scopeRegExp } from ${JSON.stringify(SCOPE_MODULE)};
    const cases = ${JSON.stringify(HOSTILE)};
    const out = [];
    for (const [glob, path] of cases) {
      const scope = { scope: ["/w/"], include: [glob], exclude: [glob + "/**", "**/" + glob] };
      out.push([globToRegExp(glob).test(path), compileGlob(glob).test(path),
        scopeRegExp(scope).test(path), makeScope(scope)(path)]);
    }
    console.log(JSON.stringify(out));
  `;
  const { code: status, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", code],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  const text = new TextDecoder().decode(stdout);
  assert.equal(status, 0, new TextDecoder().decode(stderr));
  for (const [re, matcher, filter, scope] of JSON.parse(text)) {
    assert.equal(re, matcher);
    assert.equal(filter, scope);
  }
});

Deno.test("globToRegExp() (Bun's filter) matches what compileGlob() matches, on generated globs", () => {
  const pieces = ["a", "b", "/", "*", "?", "**", "{a,b}", "{,/}", "a/", "/**/", "ab", "}", ","];
  const names = ["a", "b", "/", "ab", "ba", "."];
  let seed = 7;
  const pick = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
  for (let t = 0; t < 3000; t++) {
    let glob = "";
    for (let k = pick(6) + 1; k > 0; k--) glob += pieces[pick(pieces.length)];
    const re = globToRegExp(glob);
    const matcher = compileGlob(glob);
    for (let u = 0; u < 12; u++) {
      let path = "";
      for (let k = pick(7); k > 0; k--) path += names[pick(names.length)];
      assert.equal(re.test(path), matcher.test(path), `${JSON.stringify(glob)} on ${path}`);
    }
  }
});
