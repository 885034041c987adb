import assert from "node:assert/strict";
import { countCalls, formatDuration, renderTree } from "../../src/render/tree.ts";
import { fitValues } from "../../src/render/tree_lines.ts";
import type { CallNodeJSON } from "../../src/types.ts";

function node(name: string, extra: Partial<CallNodeJSON> = {}): CallNodeJSON {
  return {
    name,
    module: "m.ts",
    file: "/p/m.ts",
    line: 1,
    args: {},
    return_value: "undefined",
    start_ms: 0,
    elapsed_ms: 0.012,
    children: [],
    ...extra,
  };
}

const TREE = [
  node("handleRequest", {
    return_value: '{ id: 42, name: "Alice" }',
    elapsed_ms: 0.03,
    children: [
      node("fetchUser", { args: { userId: "42" }, return_value: '{ id: 42, name: "Alice" }' }),
      node("audit", { exception: "RangeError: bad amount -1", return_value: null }),
    ],
  }),
];

Deno.test("renderTree() draws unicode connectors with args, returns, errors and times", () => {
  assert.equal(
    renderTree(TREE),
    [
      '└── handleRequest() -> { id: 42, name: "Alice" }  [30µs]',
      '    ├── fetchUser(userId=42) -> { id: 42, name: "Alice" }  [12µs]',
      "    └── audit() !! RangeError: bad amount -1  [12µs]",
    ].join("\n"),
  );
});

Deno.test("renderTree() draws ascii connectors and hides args and returns on request", () => {
  assert.equal(
    renderTree(TREE, { style: "ascii", showArgs: false, showReturn: false }),
    [
      "`-- handleRequest()  [30µs]",
      "    |-- fetchUser()  [12µs]",
      "    `-- audit() !! RangeError: bad amount -1  [12µs]",
    ].join("\n"),
  );
});

Deno.test("renderTree() continues the bar of a parent that has later siblings", () => {
  const roots = [
    node("a", { children: [node("b", { children: [node("c")] }), node("d")] }),
    node("e"),
  ];
  assert.equal(
    renderTree(roots, { style: "ascii", showReturn: false }),
    [
      "|-- a()  [12µs]",
      "|   |-- b()  [12µs]",
      "|   |   `-- c()  [12µs]",
      "|   `-- d()  [12µs]",
      "`-- e()  [12µs]",
    ].join("\n"),
  );
});

Deno.test("renderTree() collapses calls below maxDepth into one line", () => {
  const deep = [node("a", { children: [node("b", { children: [node("c")] })] })];
  assert.equal(
    renderTree(deep, { maxDepth: 1 }),
    "└── a() -> undefined  [12µs]\n    └── … 2 more calls",
  );
  assert.equal(
    renderTree(deep, { maxDepth: 2, showReturn: false }),
    "└── a()  [12µs]\n    └── b()  [12µs]\n        └── … 1 more call",
  );
  const dropped = [node("a", { children: [node("b")], dropped: 3 })];
  assert.equal(
    renderTree(dropped, { maxDepth: 1, limitReason: "max_depth" }),
    "└── a() -> undefined  [12µs]\n    └── … 1 more call, 3 left out (max_depth)",
  );
});

Deno.test("renderTree() counts calls that limits left out, with the reason", () => {
  assert.equal(
    renderTree([node("a", { dropped: 2 })]),
    "└── a() -> undefined  [12µs]\n    └── … 2 calls left out by limits",
  );
  assert.equal(
    renderTree([node("a", { children: [node("b")], dropped: 1234 })], {
      limitReason: "max_calls",
      showReturn: false,
    }),
    [
      "└── a()  [12µs]",
      "    ├── b()  [12µs]",
      "    └── … 1234 calls left out (max_calls)",
    ].join("\n"),
  );
  assert.equal(
    renderTree([node("a")], { rootDropped: 1, limitReason: "max_calls", showReturn: false }),
    "├── a()  [12µs]\n└── … 1 call left out (max_calls)",
  );
});

Deno.test("renderTree() marks external, unfinished and async calls", () => {
  const roots = [
    node("main", {
      async: true,
      return_value: null,
      unfinished: true,
      elapsed_ms: null,
      children: [
        node("JSON.parse", { external: true, args: { "0": '"{}"' }, return_value: "{}" }),
        node("pending", { unfinished: true, elapsed_ms: null, return_value: null }),
      ],
    }),
  ];
  assert.equal(
    renderTree(roots),
    [
      "└── async main()  [unfinished]",
      '    ├── JSON.parse("{}") -> {} [ext]  [12µs]',
      "    └── pending()  [unfinished]",
    ].join("\n"),
  );
});

Deno.test("renderTree() filter keeps matching calls with their callers and callees", () => {
  const roots = [
    node("main", {
      dropped: 5,
      children: [
        node("loadUser", { children: [node("query")] }),
        node("render", { children: [node("renderUserCard", { children: [node("escape")] })] }),
      ],
    }),
    node("other"),
  ];
  assert.equal(
    renderTree(roots, { filter: "User", showReturn: false }),
    [
      "└── main()  [12µs]",
      "    ├── loadUser()  [12µs]",
      "    │   └── query()  [12µs]",
      "    └── render()  [12µs]",
      "        └── renderUserCard()  [12µs]",
      "            └── escape()  [12µs]",
    ].join("\n"),
  );
  assert.equal(renderTree(roots, { filter: "nothing" }), "");
});

Deno.test("renderTree() colours only when asked", () => {
  const ESC = "\x1b[";
  const strip = (text: string) =>
    text.split(ESC).map((part, i) => i === 0 ? part : part.replace(/^\d+m/, "")).join("");
  assert.ok(!renderTree(TREE).includes(ESC));
  const coloured = renderTree(TREE, { color: true });
  assert.ok(coloured.includes(`${ESC}36mfetchUser${ESC}0m`));
  assert.ok(coloured.includes(`${ESC}31m!! RangeError: bad amount -1${ESC}0m`));
  assert.equal(strip(coloured), renderTree(TREE));
});

Deno.test("renderTree() keeps every call on one line", () => {
  const text = renderTree([
    node("f", { exception: "Error: first\nsecond", return_value: null }),
  ]);
  assert.equal(text, "└── f() !! Error: first\\nsecond  [12µs]");
});

Deno.test("renderTree() draws deep recursion without overflowing the stack", () => {
  let root = node("f0");
  for (let i = 1; i < 3000; i++) root = node(`f${i}`, { children: [root] });
  const lines = renderTree([root], { showReturn: false }).split("\n");
  assert.equal(lines.length, 3000);
  assert.equal(lines[0], "└── f2999()  [12µs]");
  // Past 64 levels the indentation stops growing and the line names its depth.
  assert.equal(lines[2999], " ".repeat(4 * 64) + "[depth 3000] └── f0()  [12µs]");
  assert.equal(renderTree([root], { filter: "f0()" }), "");
  for (let i = 3000; i < 100_000; i++) root = node(`f${i}`, { children: [root] });
  assert.equal(countCalls([root]), 100_000);
  assert.equal(renderTree([root], { maxDepth: 2, showReturn: false }).split("\n").length, 3);
  // The filter walks all 100 000 levels down to f0 and keeps the whole path.
  assert.equal(
    renderTree([root], { filter: "f0", maxDepth: 1, showReturn: false }),
    "└── f99999()  [12µs]\n    └── … 99999 more calls",
  );
});

Deno.test("renderTree() returns an empty string for no calls", () => {
  assert.equal(renderTree([]), "");
});

Deno.test("renderTree() shows times in the unit asked for", () => {
  assert.equal(renderTree(TREE, { timeUnit: "ms" }).split("\n")[0].slice(-8), "[0.03ms]");
});

Deno.test("formatDuration() picks µs, ms or s", () => {
  assert.equal(formatDuration(0.0004), "0µs");
  assert.equal(formatDuration(0.5), "500µs");
  assert.equal(formatDuration(3.214), "3.21ms");
  assert.equal(formatDuration(1500), "1.50s");
  assert.equal(formatDuration(2, "us"), "2000µs");
});

Deno.test("renderTree() draws a 20,000-deep run in lines of bounded length, each past 64 levels naming its depth", () => {
  let node: CallNodeJSON = {
    name: "leaf",
    module: "m.ts",
    file: "/m.ts",
    line: 1,
    args: {},
    return_value: "1",
    start_ms: 0,
    elapsed_ms: 0,
    children: [],
  };
  for (let i = 19_999; i >= 0; i--) node = { ...node, name: `f${i}`, children: [node] };
  const lines = renderTree([node]).split("\n");
  assert.equal(lines.length, 20_001);
  assert.ok(Math.max(...lines.map((l) => l.length)) < 400, "no line grows with the depth");
  assert.match(lines[63], /^ +└── f63\(\) -> 1/);
  assert.match(lines[64], /^ +\[depth 65\] └── f64\(\) -> 1/);
  assert.match(lines[20_000], /\[depth 20001\] └── leaf\(\) -> 1/);
});

Deno.test("fitValues() keeps the shortest values whole and cuts the others to equal shares", () => {
  assert.deepEqual(fitValues(["a", "bb"], 10), ["a", "bb"]);
  assert.deepEqual(fitValues(["1", "abcdefghij", "klmnopqrst"], 11), ["1", "abcd…", "klmn…"]);
  // Never below `…` itself; a surrogate pair is never split.
  assert.deepEqual(fitValues(["abc", "def"], 0), ["…", "…"]);
  assert.deepEqual(fitValues(["x😀yz"], 3), ["x…"]);
});
